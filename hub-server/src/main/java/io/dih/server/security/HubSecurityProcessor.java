package io.dih.server.security;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.apache.ignite.IgniteCheckedException;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.internal.GridKernalContext;
import org.apache.ignite.internal.IgniteNodeAttributes;
import org.apache.ignite.internal.processors.GridProcessorAdapter;
import org.apache.ignite.internal.processors.security.GridSecurityProcessor;
import org.apache.ignite.internal.processors.security.SecurityContext;
import org.apache.ignite.plugin.security.AuthenticationContext;
import org.apache.ignite.plugin.security.SecurityCredentials;
import org.apache.ignite.plugin.security.SecurityPermission;
import org.apache.ignite.plugin.security.SecuritySubject;
import org.apache.ignite.plugin.security.SecuritySubjectType;

/**
 * Ignite's security processor for a hub node: nodes join with the cluster's node secret, and a thin-client or JDBC
 * connection needs an operator's credential as its password (any user name). Whoever got in may do everything: a
 * tenant never gets in (see {@link ThinClientSecurity}), so there is nothing finer to authorize.
 */
final class HubSecurityProcessor extends GridProcessorAdapter implements GridSecurityProcessor {
    private static final String NODE_LOGIN = "dih-node";

    private final ThinClientSecurity security;

    HubSecurityProcessor(GridKernalContext ctx, ThinClientSecurity security) {
        super(ctx);
        this.security = requireNonNull(security, "security is null");
    }

    @Override
    public void start() throws IgniteCheckedException {
        super.start();
        ctx.addNodeAttribute(IgniteNodeAttributes.ATTR_SECURITY_CREDENTIALS, new SecurityCredentials(NODE_LOGIN, security.nodeSecret()));
    }

    @Override
    public SecurityContext authenticateNode(ClusterNode node, SecurityCredentials cred) {
        if (cred == null || !NODE_LOGIN.equals(cred.getLogin()) || !security.nodeMayJoin(cred.getPassword())) {
            log.warning("A node was refused: it does not have this cluster's admin key [node=" + node.id() + ", addresses=" + node.addresses() + "]");
            return null;
        }
        InetSocketAddress address = node.addresses().isEmpty() ? null : new InetSocketAddress(node.addresses().iterator().next(), 0);
        return new Context(new Subject(node.id(), SecuritySubjectType.REMOTE_NODE, NODE_LOGIN, address));
    }

    @Override
    public boolean isGlobalNodeAuthentication() {
        return false;
    }

    @Override
    public SecurityContext authenticate(AuthenticationContext auth) {
        if (auth.credentials() == null) {
            return null;
        }
        Principal p = security.authenticate(auth.credentials().getPassword(), auth.address());
        return p == null ? null : new Context(new Subject(auth.subjectId(), auth.subjectType(), p.subject(), auth.address()));
    }

    @Override
    public Collection<SecuritySubject> authenticatedSubjects() {
        return List.of();
    }

    @Override
    public SecuritySubject authenticatedSubject(UUID subjId) {
        return null;
    }

    /**
     * A subject this node did not authenticate (a thin client connected to another node whose work runs here): every
     * subject that got in is the operator's, so it is one.
     */
    @Override
    public SecurityContext securityContext(UUID subjId) {
        return new Context(new Subject(subjId, SecuritySubjectType.REMOTE_CLIENT, "operator", null));
    }

    @Override
    public void authorize(String name, SecurityPermission perm, SecurityContext securityCtx) {
        // whoever authenticated may do everything: see the class comment
    }

    @Override
    public void onSessionExpired(UUID subjId) {
        // nothing kept per session
    }

    @Override
    public boolean enabled() {
        return true;
    }

    /** A security context; serializable, as Ignite ships node contexts in node attributes. */
    record Context(Subject subject) implements SecurityContext, Serializable {
        private static final long serialVersionUID = 1L;
    }

    record Subject(UUID id, SecuritySubjectType type, Object login, InetSocketAddress address) implements SecuritySubject {
        private static final long serialVersionUID = 1L;
    }
}
