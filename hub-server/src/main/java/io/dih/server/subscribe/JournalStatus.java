package io.dih.server.subscribe;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A region journal as {@code GET /subscriptions/{region}/journal} shows it.
 *
 * @param firstPosition   the oldest position a subscriber can resume from (older ones get a RESYNC)
 * @param headPosition    the position of the newest event written
 * @param events          events kept now
 * @param keep            whether the journal records while its region exists, or only while it has had a subscriber
 *                        within {@code max_age_seconds}
 * @param subscribers     subscriptions to the region open on the node that answered
 * @param pendingOnNode   changes the answering node received that it has not seen journaled yet
 * @param nodeHeadPosition how far the answering node has seen the journal written (its subscribers wait past this)
 */
public record JournalStatus(@JsonProperty("region") String region,
                            @JsonProperty("epoch") String epoch,
                            @JsonProperty("first_position") String firstPosition,
                            @JsonProperty("head_position") String headPosition,
                            @JsonProperty("events") long events,
                            @JsonProperty("max_events") int maxEvents,
                            @JsonProperty("max_age_seconds") long maxAgeSeconds,
                            @JsonProperty("keep") boolean keep,
                            @JsonProperty("live") boolean live,
                            @JsonProperty("subscribers") int subscribers,
                            @JsonProperty("pending_on_node") int pendingOnNode,
                            @JsonProperty("node_head_position") String nodeHeadPosition) {
}
