package dev.isthmus.benchmarks.gateway;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.isthmus.gateway.transport.SessionProtocol;
import dev.isthmus.gateway.transport.TransportHeader;
import dev.isthmus.gateway.transport.TransportHeaderDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decoding the transport header's protobuf message, once per gateway connection. Baseline: reading
 * the same bytes' name as a UTF-8 string, the least any decoder must do.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class TransportHeaderBenchmark {

    private ByteBuf message;
    private ByteBuf name;

    @Setup
    public void setUp() {
        ByteBuf whole = new TransportHeader("podinfo.east.svc.cluster.local", 9898, SessionProtocol.HTTP2)
                .encode(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT);
        message = Unpooled.unreleasableBuffer(whole.slice(27, whole.readableBytes() - 27).copy());
        name = Unpooled.unreleasableBuffer(Unpooled.copiedBuffer("podinfo.east.svc.cluster.local", UTF_8));
        whole.release();
    }

    @Benchmark
    public TransportHeader decode() {
        return TransportHeaderDecoder.parse(message.duplicate());
    }

    @Benchmark
    public String baselineReadName() {
        return name.toString(UTF_8);
    }
}
