package io.dih.connector.s3;

import io.minio.GetObjectArgs;
import io.minio.MinioClient;
import java.io.IOException;
import java.io.InputStream;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/**
 * An object as Parquet's {@link InputFile}: reads go to the object through ranged GETs from wherever the reader seeks
 * (the footer at the end, then each column chunk), so a file is never fetched whole.
 */
final class S3InputFile implements InputFile {
    private final MinioClient client;
    private final String bucket;
    private final String object;
    private final long length;

    S3InputFile(MinioClient client, String bucket, String object, long length) {
        this.client = client;
        this.bucket = bucket;
        this.object = object;
        this.length = length;
    }

    @Override
    public long getLength() {
        return length;
    }

    @Override
    public SeekableInputStream newStream() {
        RangeStream range = new RangeStream();
        return new DelegatingSeekableInputStream(range) {
            @Override
            public long getPos() {
                return range.pos;
            }

            @Override
            public void seek(long newPos) throws IOException {
                range.seek(newPos);
            }
        };
    }

    @Override
    public String toString() {
        return bucket + "/" + object;
    }

    /** The object's bytes from a position on: one GET per run of sequential reads, a new one after a seek elsewhere. */
    private final class RangeStream extends InputStream {
        private long pos;
        private InputStream current;

        void seek(long newPos) throws IOException {
            if (newPos < 0 || newPos > length) {
                throw new IOException("cannot seek to " + newPos + " in " + S3InputFile.this + " of " + length + " bytes");
            }
            if (newPos != pos) {
                closeCurrent();
                pos = newPos;
            }
        }

        @Override
        public int read() throws IOException {
            if (pos >= length) {
                return -1;
            }
            int b = open().read();
            if (b >= 0) {
                pos++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (pos >= length) {
                return -1;
            }
            int n = open().read(b, off, len);
            if (n > 0) {
                pos += n;
            }
            return n;
        }

        private InputStream open() throws IOException {
            if (current == null) {
                try {
                    current = client.getObject(GetObjectArgs.builder().bucket(bucket).object(object).offset(pos).build());
                } catch (IOException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IOException("cannot read " + S3InputFile.this + " from byte " + pos + ": " + e, e);
                }
            }
            return current;
        }

        private void closeCurrent() throws IOException {
            if (current != null) {
                InputStream c = current;
                current = null;
                c.close();
            }
        }

        @Override
        public void close() throws IOException {
            closeCurrent();
        }
    }
}
