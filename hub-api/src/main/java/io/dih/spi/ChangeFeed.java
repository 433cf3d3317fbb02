package io.dih.spi;

/** A running feed of a source's row changes ({@link Connector#changeFeed}). */
public interface ChangeFeed extends AutoCloseable {
    /**
     * Runs the feed on the calling thread until {@link #close()} or a failure.
     *
     * @throws Exception what stopped the feed, when it was not {@link #close()}
     */
    void run() throws Exception;

    /** Stops the feed; {@link #run()} returns soon after. Idempotent. */
    @Override
    void close();
}
