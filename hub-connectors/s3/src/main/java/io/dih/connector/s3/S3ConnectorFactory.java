package io.dih.connector.s3;

import io.dih.spi.Capability;
import io.dih.spi.Connector;
import io.dih.spi.ConnectorContext;
import io.dih.spi.ConnectorFactory;
import io.dih.spi.FieldError;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code "source_type": "minio"} (or {@code s3}): CSV and JSON-lines objects of a bucket, loaded object by object. */
public final class S3ConnectorFactory implements ConnectorFactory {
    @Override
    public String type() {
        return "minio";
    }

    @Override
    public Set<String> aliases() {
        return Set.of("s3");
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.BULK_LOAD);
    }

    @Override
    public Set<String> secretKeys() {
        return S3ConnectorConfig.SECRETS;
    }

    @Override
    public List<FieldError> validate(Map<String, Object> connectionParams) {
        List<FieldError> errors = new ArrayList<>();
        S3ConnectorConfig.parse(connectionParams, (field, value) -> value, errors);
        return errors;
    }

    @Override
    public Connector create(String sourceName, Map<String, Object> connectionParams, ConnectorContext context) {
        return new S3Connector(sourceName, S3ConnectorConfig.parseOrThrow(connectionParams, context::resolve));
    }
}
