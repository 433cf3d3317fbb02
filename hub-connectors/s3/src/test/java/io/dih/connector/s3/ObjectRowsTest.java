package io.dih.connector.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.dih.api.BindingSpec;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ObjectRowsTest {
    private final List<String> records = new ArrayList<>();
    private final List<String> unreadable = new ArrayList<>();

    private void read(Map<String, Object> options, String text) throws Exception {
        Map<String, Object> o = new LinkedHashMap<>(options);
        o.put("bucket", "bkt");
        S3Binding b = S3Binding.of(new BindingSpec(null, null, List.of("id"), null, null, null, o));
        ObjectRows.read(b, new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), new ObjectRows.Visitor() {
            @Override
            public boolean record(long line, Map<String, String> fields) {
                records.add(line + " " + fields);
                return true;
            }

            @Override
            public void unreadable(long line, String raw, String error) {
                unreadable.add(line + " " + raw + " | " + error);
            }
        });
    }

    @Test
    void csvWithHeaderQuotesNullsAndABadLine() throws Exception {
        read(Map.of(), "id,name,note\n1,\"Smith, Jo\",\n2,two,\"say \"\"hi\"\"\"\n3,too,many,fields\n\n4,four,x\n");
        assertThat(records).containsExactly("2 {id=1, name=Smith, Jo, note=null}", "3 {id=2, name=two, note=say \"hi\"}",
                "5 {id=4, name=four, note=x}"); // the blank line is not counted
        assertThat(unreadable).singleElement().asString().startsWith("4 3,too,many,fields | the line has 4 fields, the header 3");
    }

    @Test
    void csvWithoutHeaderOtherDelimiterAndNullText() throws Exception {
        read(Map.of("header", false, "columns", List.of("id", "name"), "delimiter", ";", "null_value", "NULL"), "1;a\n2;NULL\n3;\n");
        assertThat(records).containsExactly("1 {id=1, name=a}", "2 {id=2, name=null}", "3 {id=3, name=}");
    }

    @Test
    void aBrokenQuoteEndsTheObjectAsOneDeadLetter() throws Exception {
        read(Map.of(), "id,name\n1,a\n2,\"never closed\n3,c\n");
        assertThat(records).containsExactly("2 {id=1, name=a}");
        assertThat(unreadable).singleElement().asString().contains("malformed CSV from here on");
    }

    @Test
    void jsonLines() throws Exception {
        read(Map.of("format", "jsonl"), "{\"id\": 1, \"tags\": [\"a\"], \"who\": {\"n\": 1}, \"x\": null}\n\nnot json\n[1]\n{\"id\": 2}\n");
        assertThat(records).containsExactly("1 {id=1, tags=[\"a\"], who={\"n\":1}, x=null}", "5 {id=2}");
        assertThat(unreadable).hasSize(2);
        assertThat(unreadable.get(0)).startsWith("3 not json | not JSON");
        assertThat(unreadable.get(1)).startsWith("4 [1] | not a JSON object");
    }
}
