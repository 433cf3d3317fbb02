package io.dih.server.security;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;
import java.util.UUID;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.internal.IgniteEx;
import org.apache.ignite.internal.processors.security.GridSecurityProcessor;
import org.apache.ignite.plugin.CachePluginContext;
import org.apache.ignite.plugin.CachePluginProvider;
import org.apache.ignite.plugin.ExtensionRegistry;
import org.apache.ignite.plugin.IgnitePlugin;
import org.apache.ignite.plugin.PluginConfiguration;
import org.apache.ignite.plugin.PluginContext;
import org.apache.ignite.plugin.PluginProvider;

/** Installs {@link HubSecurityProcessor} in a node (security on): thin clients authenticate, nodes prove membership. */
public final class HubSecurityPlugin implements PluginProvider<PluginConfiguration> {
    private final ThinClientSecurity security;

    public HubSecurityPlugin(ThinClientSecurity security) {
        this.security = requireNonNull(security, "security is null");
    }

    @Override
    public String name() {
        return "dih-security";
    }

    @Override
    public String version() {
        return "0.1.0";
    }

    @Override
    public String copyright() {
        return "Digital Integration Hub";
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends IgnitePlugin> T plugin() {
        return (T) new IgnitePlugin() { };
    }

    @Override
    public void initExtensions(PluginContext ctx, ExtensionRegistry registry) {
        // no extensions
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T createComponent(PluginContext ctx, Class<T> cls) {
        if (cls.isAssignableFrom(GridSecurityProcessor.class)) {
            return (T) new HubSecurityProcessor(((IgniteEx) ctx.grid()).context(), security);
        }
        return null;
    }

    @Override
    public CachePluginProvider createCacheProvider(CachePluginContext ctx) {
        return null;
    }

    @Override
    public void start(PluginContext ctx) {
        // nothing to start
    }

    @Override
    public void stop(boolean cancel) {
        // nothing to stop
    }

    @Override
    public void onIgniteStart() {
        // nothing to do
    }

    @Override
    public void onIgniteStop(boolean cancel) {
        // nothing to do
    }

    @Override
    public Serializable provideDiscoveryData(UUID nodeId) {
        return null;
    }

    @Override
    public void receiveDiscoveryData(UUID nodeId, Serializable data) {
        // none
    }

    @Override
    public void validateNewNode(ClusterNode node) {
        // nodes are authenticated by the security processor
    }
}
