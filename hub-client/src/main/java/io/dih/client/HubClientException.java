package io.dih.client;

/** The hub answered with an error (an {@code application/problem+json} document), or could not be reached. */
public class HubClientException extends RuntimeException {
    private final int status;
    private final String title;
    private final String field;

    public HubClientException(int status, String title, String detail, String field) {
        super(status + " " + title + (detail == null ? "" : ": " + detail));
        this.status = status;
        this.title = title;
        this.field = field;
    }

    public HubClientException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
        this.title = "Unreachable";
        this.field = null;
    }

    /** The HTTP status, or 0 when the hub could not be reached. */
    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    /** The offending request field the hub named, or {@code null}. */
    public String field() {
        return field;
    }
}
