package dev.ordinal.observability;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.Flow;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A streaming client of {@code /ordinal/ops/events} (JDK HttpClient) with a bearer token: collects each
 * {@code data:} line as an event until closed, and tells when the server ended the stream.
 */
final class SseReader implements Flow.Subscriber<String>, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<OpsEventDto> sink;
    private volatile Flow.Subscription subscription;
    private volatile Throwable failure;
    private volatile boolean cancelled;
    private volatile boolean completed;
    private volatile int status;

    private SseReader(List<OpsEventDto> sink) {
        this.sink = sink;
    }

    /**
     * Opens {@code GET /ordinal/ops/events?query} with {@code Authorization: authorization}.
     *
     * @param sink receives every event, in order
     */
    static SseReader open(URL root, String query, String authorization, List<OpsEventDto> sink) {
        SseReader reader = new SseReader(sink);
        HttpRequest request = HttpRequest.newBuilder(URI.create(root + "ordinal/ops/events?" + query))
                .header("Accept", "text/event-stream").header("Authorization", authorization).build();
        HttpClient.newHttpClient().sendAsync(request, info -> {
            reader.status = info.statusCode();
            return HttpResponse.BodySubscribers.fromLineSubscriber(reader);
        });
        return reader;
    }

    /** True once the server ended the stream (its body is complete). */
    boolean completed() {
        return completed;
    }

    /** The response status, once the headers came (0 before). */
    int status() {
        return status;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
        if (line.startsWith("data:")) {
            try {
                sink.add(JSON.readValue(line.substring(5).trim(), OpsEventDto.class));
            } catch (IOException e) {
                failure = e;
            }
        }
    }

    @Override
    public void onError(Throwable t) {
        if (!cancelled) {
            failure = t;
        }
    }

    @Override
    public void onComplete() {
        completed = true;
    }

    @Override
    public void close() {
        cancelled = true;
        if (subscription != null) {
            subscription.cancel();
        }
        if (failure != null) {
            throw new AssertionError("the event stream failed", failure);
        }
    }
}
