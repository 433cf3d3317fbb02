package io.dih.client;

/**
 * The hub ended a subscription for good: a bad parameter (WebSocket close code 4400; {@link #status()} 400 and
 * {@link #field()} naming it), an unknown region (4404; 404), a deleted region (4410; 410), or a refused upgrade (its
 * HTTP status).
 */
public class SubscriptionClosedException extends HubClientException {
    private static final long serialVersionUID = 1L;
    private final int closeCode;
    private final String position;

    /**
     * @param closeCode the WebSocket close code (0 for a refused upgrade)
     * @param status    the matching HTTP status (4404 → 404)
     * @param position  the last position the subscription had seen, or {@code null}
     */
    public SubscriptionClosedException(int closeCode, int status, String title, String detail, String field, String position) {
        super(status, title, detail, field);
        this.closeCode = closeCode;
        this.position = position;
    }

    /** The WebSocket close code (4400, 4404, 4410…), or 0 when the upgrade itself was refused. */
    public int closeCode() {
        return closeCode;
    }

    /** The last position the subscription had seen, or {@code null}. */
    public String position() {
        return position;
    }
}
