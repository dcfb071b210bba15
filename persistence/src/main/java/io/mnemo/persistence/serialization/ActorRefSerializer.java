package io.mnemo.persistence.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.stream.SourceRef;

/**
 * Writes actor references (classic and typed) as their serialized actor path, with the remote
 * address Pekko supplies during remoting, and resolves them on the receiving node. Without it a
 * {@code replyTo} in a message to another node could not be answered. Stream references
 * ({@link SourceRef}, which a store answers a read with) go through Pekko's own serializer for
 * them, nested: serializer id, manifest, bytes.
 */
final class ActorRefSerializer {
    private ActorRefSerializer() {}

    static void register(Kryo kryo, ExtendedActorSystem system) {
        kryo.addDefaultSerializer(ActorRef.class, new Serializer<ActorRef>() {
            @Override
            public void write(Kryo k, Output out, ActorRef ref) {
                out.writeString(Serialization.serializedActorPath(ref));
            }

            @Override
            public ActorRef read(Kryo k, Input in, Class<? extends ActorRef> type) {
                return system.provider().resolveActorRef(in.readString());
            }
        });
        kryo.addDefaultSerializer(org.apache.pekko.actor.typed.ActorRef.class,
                new Serializer<org.apache.pekko.actor.typed.ActorRef<?>>() {
                    @Override
                    public void write(Kryo k, Output out, org.apache.pekko.actor.typed.ActorRef<?> ref) {
                        out.writeString(Serialization.serializedActorPath(Adapter.toClassic(ref)));
                    }

                    @Override
                    public org.apache.pekko.actor.typed.ActorRef<?> read(
                            Kryo k, Input in, Class<? extends org.apache.pekko.actor.typed.ActorRef<?>> type) {
                        return Adapter.toTyped(system.provider().resolveActorRef(in.readString()));
                    }
                });
        kryo.addDefaultSerializer(SourceRef.class, new Serializer<SourceRef<?>>() {
            @Override
            public void write(Kryo k, Output out, SourceRef<?> ref) {
                Serialization serialization = SerializationExtension.get(system);
                org.apache.pekko.serialization.Serializer s = serialization.findSerializerFor(ref);
                byte[] bytes = s.toBinary(ref);
                out.writeInt(s.identifier());
                out.writeString(Serializers.manifestFor(s, ref));
                out.writeInt(bytes.length);
                out.writeBytes(bytes);
            }

            @Override
            public SourceRef<?> read(Kryo k, Input in, Class<? extends SourceRef<?>> type) {
                int id = in.readInt();
                String manifest = in.readString();
                byte[] bytes = in.readBytes(in.readInt());
                return (SourceRef<?>) SerializationExtension.get(system).deserialize(bytes, id, manifest).get();
            }
        });
    }
}
