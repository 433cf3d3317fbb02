package io.dih.server.query;

import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import java.util.List;

/**
 * A tenant's SQL statement, endpoint template or transaction named an object it may not see: answered with exactly
 * the 400 a missing object gets (its words carry nothing more), and audited by the gateway as a refused request.
 */
public final class HiddenObjectException extends InvalidSpecException {
    HiddenObjectException(List<FieldError> errors) {
        super(errors);
    }

    HiddenObjectException(String field, String message) {
        super(field, message);
    }
}
