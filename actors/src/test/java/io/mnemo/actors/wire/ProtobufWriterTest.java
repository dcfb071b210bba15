package io.mnemo.actors.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.CodedInputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Nested messages of any length come out as protobuf reads them: lengths of 1, 2 and 3 bytes. */
class ProtobufWriterTest {
    @Test
    void nestedMessagesOfEveryLengthSize() throws Exception {
        for (int size : new int[] {0, 5, 127, 128, 300, 16_383, 16_384, 70_000}) {
            ProtobufWriter w = new ProtobufWriter(16);
            int outer = w.beginMessage(1);
            w.sint64Field(2, -3);
            int inner = w.beginMessage(3);
            byte[] payload = new byte[size];
            Arrays.fill(payload, (byte) 'p');
            w.bytesField(4, payload);
            w.endMessage(inner);
            w.doubleField(5, 1.5);
            w.endMessage(outer);
            w.uint64Field(6, 1L << 40);

            CodedInputStream in = CodedInputStream.newInstance(w.toByteArray());
            assertEquals((1 << 3) | 2, in.readTag());
            CodedInputStream o = in.readBytes().newCodedInput();
            assertEquals((2 << 3), o.readTag());
            assertEquals(-3, o.readSInt64());
            assertEquals((3 << 3) | 2, o.readTag());
            CodedInputStream i = o.readBytes().newCodedInput();
            assertEquals((4 << 3) | 2, i.readTag());
            assertEquals(size, i.readBytes().size(), "payload of " + size);
            assertEquals((5 << 3) | 1, o.readTag());
            assertEquals(1.5, o.readDouble());
            assertEquals(0, o.readTag());
            assertEquals(6 << 3, in.readTag());
            assertEquals(1L << 40, in.readUInt64());
            assertEquals(0, in.readTag());
        }
    }
}
