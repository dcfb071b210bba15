package io.mnemo.persistence.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.ImmutableCollectionsSerializers;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import com.esotericsoftware.kryo.util.Pool;
import io.mnemo.persistence.MnemoSerializable;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.JSerializer;
import org.objenesis.strategy.StdInstantiatorStrategy;

/**
 * Pekko serializer for everything marked {@link io.mnemo.persistence.MnemoSerializable}, on Kryo 5.
 *
 * <p>Classes need no registration: each message carries its class name, so adding a message type
 * needs no coordinated change. Java records go through Kryo's record serializer (canonical
 * constructor), {@code byte[]} fields are written as length plus raw bytes, and the JDK's immutable
 * collections ({@code List.of}, {@code Stream.toList}) are supported. References are not tracked:
 * messages must be trees, not graphs with shared or cyclic references.
 *
 * <p>Kryo instances are not thread-safe, so they are pooled; each pooled instance keeps its
 * output buffer, trimmed after a large message so the pool does not pin megabytes.
 */
public final class KryoSerializer extends JSerializer {

    /** Serializer id stored with every journal event and remote message; never change it. */
    public static final int IDENTIFIER = 7410;

    private static final int BUFFER_BYTES = 8 * 1024;
    private static final int MAX_RETAINED_BUFFER_BYTES = 1024 * 1024;

    private static final class Instance {
        final Kryo kryo;
        Output output = new Output(BUFFER_BYTES, -1);

        Instance(Kryo kryo) {
            this.kryo = kryo;
        }
    }

    private final Pool<Instance> pool;

    /** Constructor Pekko calls: classes resolve through the actor system's class loader. */
    public KryoSerializer(ExtendedActorSystem system) {
        this(system.dynamicAccess().classLoader(), system);
    }

    /** Without an actor system: messages holding actor references cannot be serialized. */
    public KryoSerializer(ClassLoader classLoader) {
        this(classLoader, null);
    }

    private KryoSerializer(ClassLoader classLoader, ExtendedActorSystem system) {
        this.pool = new Pool<>(true, false, Runtime.getRuntime().availableProcessors() * 2) {
            @Override
            protected Instance create() {
                Kryo kryo = newKryo(classLoader);
                if (system != null) ActorRefSerializer.register(kryo, system);
                return new Instance(kryo);
            }
        };
    }

    private static Kryo newKryo(ClassLoader classLoader) {
        Kryo kryo = new Kryo();
        kryo.setClassLoader(classLoader);
        kryo.setRegistrationRequired(false);
        kryo.setReferences(false);
        // records use their canonical constructor; other classes without a no-arg constructor still work
        kryo.setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
        ImmutableCollectionsSerializers.addDefaultSerializers(kryo);
        return kryo;
    }

    @Override
    public int identifier() {
        return IDENTIFIER;
    }

    @Override
    public boolean includeManifest() {
        return false; // Kryo writes the class name itself
    }

    @Override
    public byte[] toBinary(Object o) {
        Instance k = pool.obtain();
        try {
            Output out = k.output;
            int hint = o instanceof MnemoSerializable m ? m.serializedSizeHint() : 0;
            if (hint > out.getBuffer().length) {
                out = new Output(hint + BUFFER_BYTES, -1); // used once, like a grown buffer would be
                k.output = out;
            }
            out.reset();
            k.kryo.writeClassAndObject(out, o);
            byte[] bytes = out.toBytes();
            if (out.getBuffer().length > MAX_RETAINED_BUFFER_BYTES) {
                k.output = new Output(BUFFER_BYTES, -1);
            }
            return bytes;
        } finally {
            pool.free(k);
        }
    }

    @Override
    public Object fromBinaryJava(byte[] bytes, Class<?> manifest) {
        Instance k = pool.obtain();
        try {
            return k.kryo.readClassAndObject(new Input(bytes));
        } finally {
            pool.free(k);
        }
    }
}
