package io.dih.bench;

import java.io.IOException;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpPut;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;

/**
 * A blocking, pooled HTTP client for benchmark calls to the gateway (the JDK's HttpClient costs ~0.7 ms per call on
 * its own here): one keep-alive connection per client thread.
 */
final class BenchHttp implements AutoCloseable {
    /** A status and the body as text. */
    record Answer(int status, String body) {
    }

    private final CloseableHttpClient http;

    BenchHttp(int maxConnections) {
        this.http = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setMaxConnPerRoute(maxConnections).setMaxConnTotal(maxConnections).build())
                .build();
    }

    Answer get(String url) throws IOException {
        return execute(new HttpGet(url));
    }

    Answer post(String url, String json) throws IOException {
        HttpPost post = new HttpPost(url);
        post.setEntity(new StringEntity(json, ContentType.APPLICATION_JSON));
        return execute(post);
    }

    Answer put(String url, String json) throws IOException {
        HttpPut put = new HttpPut(url);
        put.setEntity(new StringEntity(json, ContentType.APPLICATION_JSON));
        return execute(put);
    }

    private Answer execute(HttpUriRequestBase request) throws IOException {
        return http.execute(request, r -> new Answer(r.getCode(), r.getEntity() == null ? "" : EntityUtils.toString(r.getEntity())));
    }

    @Override
    public void close() throws IOException {
        http.close();
    }
}
