package io.dih.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minio.GetObjectArgs;
import io.minio.MinioClient;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TestingS3ServerIT {
    @Test
    void storesAndServesObjectsAndChecksSignatures() throws Exception {
        try (TestingS3Server s3 = TestingS3Server.start()) {
            s3.createBucket("fixture");
            s3.put("fixture", "dir/a.csv", "id,name\n1,one\n");
            StatObjectResponse first = s3.client().statObject(StatObjectArgs.builder().bucket("fixture").object("dir/a.csv").build());
            try (InputStream in = s3.client().getObject(GetObjectArgs.builder().bucket("fixture").object("dir/a.csv").build())) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("id,name\n1,one\n");
            }
            s3.put("fixture", "dir/a.csv", "id,name\n1,uno\n");
            StatObjectResponse second = s3.client().statObject(StatObjectArgs.builder().bucket("fixture").object("dir/a.csv").build());
            assertThat(second.etag()).as("a new version has a new ETag").isNotEqualTo(first.etag());

            MinioClient wrong = MinioClient.builder().endpoint(s3.endpoint()).credentials(s3.accessKey(), "not-the-secret").build();
            assertThatThrownBy(() -> wrong.statObject(StatObjectArgs.builder().bucket("fixture").object("dir/a.csv").build()))
                    .as("signatures are checked").hasMessageContaining("does not match");
            s3.remove("fixture", "dir/a.csv");
            assertThatThrownBy(() -> s3.client().statObject(StatObjectArgs.builder().bucket("fixture").object("dir/a.csv").build()))
                    .hasMessageContaining("does not exist");
        }
    }
}
