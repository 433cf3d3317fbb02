package io.dih.connector.jdbc;

import io.debezium.config.Configuration;
import io.debezium.document.DocumentReader;
import io.debezium.document.DocumentWriter;
import io.debezium.relational.history.AbstractSchemaHistory;
import io.debezium.relational.history.HistoryRecord;
import io.debezium.relational.history.HistoryRecordComparator;
import io.debezium.relational.history.SchemaHistoryException;
import io.debezium.relational.history.SchemaHistoryListener;
import io.dih.spi.OffsetStore;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * A binlog connector's schema history (the DDL it has seen, which it replays to know the shape of each row event),
 * kept in the hub's {@link OffsetStore} next to the offsets: a feed that moves to another node needs both. Debezium
 * creates this class by name; it finds its store like {@link GridOffsetBackingStore} does.
 */
public final class GridSchemaHistory extends AbstractSchemaHistory {
    static final String STORE_ID = "schema.history.internal." + GridOffsetBackingStore.STORE_ID;

    private final DocumentWriter writer = DocumentWriter.defaultWriter();
    private final DocumentReader reader = DocumentReader.defaultReader();
    private volatile OffsetStore store;

    @Override
    public void configure(Configuration config, HistoryRecordComparator comparator, SchemaHistoryListener listener, boolean useCatalogBeforeSchema) {
        super.configure(config, comparator, listener, useCatalogBeforeSchema);
        String id = config.getString(STORE_ID);
        store = id == null ? null : GridOffsetBackingStore.STORES.get(id);
        if (store == null) {
            throw new IllegalStateException("no offset store registered under " + STORE_ID + "=" + id);
        }
    }

    @Override
    protected void storeRecord(HistoryRecord record) throws SchemaHistoryException {
        try {
            store.appendHistory(writer.write(record.document()));
        } catch (IOException | RuntimeException e) {
            throw new SchemaHistoryException("cannot store a schema history record: " + e.getMessage(), e);
        }
    }

    @Override
    protected void recoverRecords(Consumer<HistoryRecord> records) {
        for (String json : store.history()) {
            try {
                records.accept(new HistoryRecord(reader.read(json)));
            } catch (IOException e) {
                throw new SchemaHistoryException("a stored schema history record cannot be read: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public boolean storageExists() {
        return true;
    }

    @Override
    public boolean exists() {
        return !store.history().isEmpty();
    }

    @Override
    public String toString() {
        return "hub grid schema history";
    }
}
