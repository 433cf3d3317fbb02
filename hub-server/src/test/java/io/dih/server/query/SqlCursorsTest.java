package io.dih.server.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dih.spi.NotFoundException;
import io.dih.spi.UnavailableException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ignite.cache.query.FieldsQueryCursor;
import org.apache.ignite.internal.processors.query.GridQueryCancel;
import org.junit.jupiter.api.Test;

class SqlCursorsTest {
    private final AtomicLong now = new AtomicLong();
    private final AtomicInteger closed = new AtomicInteger();

    @Test
    void idleCursorsExpireAndTheirTokensAreGone() {
        SqlCursors cursors = new SqlCursors(10, 60_000, now::get);
        cursors.reserve();
        String old = cursors.putBack(null, cursor());
        now.addAndGet(30_000_000_000L);
        cursors.reserve();
        String young = cursors.putBack(null, cursor());
        assertThat(old).isNotEqualTo(young).matches("[A-Za-z0-9_-]{32}");
        now.addAndGet(30_000_000_001L);
        assertThat(cursors.expireIdle()).isEqualTo(1);
        assertThat(closed.get()).isEqualTo(1);
        assertThatThrownBy(() -> cursors.take(old, SqlCaller.OPERATOR)).isInstanceOf(NotFoundException.class);
        // reading a page renews the idle clock
        SqlCursor c = cursors.take(young, SqlCaller.OPERATOR);
        now.addAndGet(50_000_000_000L);
        cursors.putBack(young, c);
        now.addAndGet(50_000_000_000L);
        assertThat(cursors.expireIdle()).isZero();
        assertThat(cursors.open()).isEqualTo(1);
        cursors.close(young, SqlCaller.OPERATOR);
        assertThat(cursors.open()).isZero();
        assertThat(closed.get()).isEqualTo(2);
        assertThatThrownBy(() -> cursors.close(young, SqlCaller.OPERATOR)).isInstanceOf(NotFoundException.class);
    }

    @Test
    void boundedPerNode() {
        SqlCursors cursors = new SqlCursors(2, 60_000, now::get);
        cursors.reserve();
        String a = cursors.putBack(null, cursor());
        cursors.reserve();
        assertThatThrownBy(cursors::reserve).isInstanceOf(UnavailableException.class).hasMessageContaining("2 SQL cursors open");
        cursors.release(null); // the second reservation never became a cursor
        cursors.reserve();
        cursors.close(a, SqlCaller.OPERATOR);
        cursors.reserve();
        assertThat(cursors.open()).isEqualTo(2);
        cursors.close();
    }

    @Test
    void aCursorIsLentToOneRequestAtATime() {
        SqlCursors cursors = new SqlCursors(2, 60_000, now::get);
        cursors.reserve();
        String t = cursors.putBack(null, cursor());
        SqlCursor lent = cursors.take(t, SqlCaller.OPERATOR);
        assertThatThrownBy(() -> cursors.take(t, SqlCaller.OPERATOR)).isInstanceOf(NotFoundException.class).hasMessageContaining("another request");
        cursors.putBack(t, lent);
        assertThat(cursors.take(t, SqlCaller.OPERATOR)).isSameAs(lent);
    }

    @Test
    void aTenantsCursorIsReadByThatTenantOrTheOperatorOnly() {
        SqlCursors cursors = new SqlCursors(2, 60_000, now::get);
        cursors.reserve();
        String t = cursors.putBack(null, cursor("acme"));
        SqlCaller acme = new SqlCaller("acme", name -> true);
        SqlCaller globex = new SqlCaller("globex", name -> true);
        assertThatThrownBy(() -> cursors.take(t, globex)).isInstanceOf(NotFoundException.class).hasMessageContaining("no open SQL cursor");
        assertThatThrownBy(() -> cursors.close(t, globex)).isInstanceOf(NotFoundException.class);
        cursors.putBack(t, cursors.take(t, acme));
        cursors.putBack(t, cursors.take(t, SqlCaller.OPERATOR));
        cursors.reserve();
        String mine = cursors.putBack(null, cursor());
        assertThatThrownBy(() -> cursors.take(mine, acme)).as("the operator's cursor").isInstanceOf(NotFoundException.class);
        cursors.close(t, acme);
        assertThat(cursors.open()).isEqualTo(1);
    }

    @Test
    void tokensDoNotRepeat() {
        SqlCursors cursors = new SqlCursors(1000, 60_000, now::get);
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            cursors.reserve();
            tokens.add(cursors.putBack(null, cursor()));
        }
        assertThat(tokens).doesNotHaveDuplicates();
        cursors.close();
        assertThat(closed.get()).isEqualTo(1000);
        assertThat(cursors.open()).isZero();
    }

    private SqlCursor cursor() {
        return cursor(null);
    }

    private SqlCursor cursor(String tenant) {
        FieldsQueryCursor<List<?>> c = new FieldsQueryCursor<>() {
            @Override
            public String getFieldName(int idx) {
                return "A";
            }

            @Override
            public int getColumnsCount() {
                return 1;
            }

            @Override
            public List<List<?>> getAll() {
                return List.of();
            }

            @Override
            public void close() {
                closed.incrementAndGet();
            }

            @Override
            public Iterator<List<?>> iterator() {
                return List.<List<?>>of().iterator();
            }
        };
        return new SqlCursor(c, c.iterator(), List.of(new SqlColumn("A", "INT")), new GridQueryCancel(), 10, 1000, tenant);
    }
}
