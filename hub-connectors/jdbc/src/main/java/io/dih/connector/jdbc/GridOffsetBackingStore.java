package io.dih.connector.jdbc;

import io.dih.spi.OffsetStore;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.Converter;
import org.apache.kafka.connect.storage.FileOffsetBackingStore;

/**
 * Debezium's offsets, kept in the hub's {@link OffsetStore} (a cache with backups) instead of a local file. Debezium
 * creates this class by name, so the feed registers its store under an id and names the id in the engine's
 * configuration ({@value #STORE_ID}). The file the parent class wants is never written.
 */
public final class GridOffsetBackingStore extends FileOffsetBackingStore {
    static final String STORE_ID = "dih.offset.store";
    static final Map<String, OffsetStore> STORES = new ConcurrentHashMap<>();

    private OffsetStore store;

    public GridOffsetBackingStore() {
        super(keyConverter());
    }

    private static Converter keyConverter() {
        JsonConverter c = new JsonConverter();
        c.configure(Map.of("schemas.enable", "false"), true);
        return c;
    }

    @Override
    public void configure(WorkerConfig config) {
        super.configure(config);
        Object id = config.originals().get(STORE_ID);
        store = id == null ? null : STORES.get(id.toString());
        if (store == null) {
            throw new IllegalStateException("no offset store registered under " + STORE_ID + "=" + id);
        }
    }

    @Override
    public synchronized void start() {
        super.start();
        store.load().forEach((k, v) -> data.put(ByteBuffer.wrap(Base64.getDecoder().decode(k)),
                v == null ? null : ByteBuffer.wrap(Base64.getDecoder().decode(v))));
    }

    @Override
    protected void save() {
        Map<String, String> out = new HashMap<>();
        data.forEach((k, v) -> out.put(encode(k), v == null ? null : encode(v)));
        store.save(out);
    }

    private static String encode(ByteBuffer b) {
        byte[] bytes = new byte[b.remaining()];
        b.duplicate().get(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }
}
