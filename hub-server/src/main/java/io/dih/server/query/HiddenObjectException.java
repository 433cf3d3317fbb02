package io.dih.server.query;

import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import java.util.List;

/**
 * A tenant's request named, in its body, an object it may not see (an SQL statement or endpoint template, a
 * transaction's region, a source's target region): answered with exactly the 400 a missing object gets (its words
 * carry nothing more), and audited by the gateway as a refused request.
 */
public final class HiddenObjectException extends InvalidSpecException {
    public HiddenObjectException(List<FieldError> errors) {
        super(errors);
    }

    public HiddenObjectException(String field, String message) {
        super(field, message);
    }
}
