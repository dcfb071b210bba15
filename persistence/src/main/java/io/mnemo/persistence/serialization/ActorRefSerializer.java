package io.mnemo.persistence.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;

/**
 * Writes actor references (classic and typed) as their serialized actor path, with the remote
 * address Pekko supplies during remoting, and resolves them on the receiving node. Without it a
 * {@code replyTo} in a message to another node could not be answered.
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
    }
}
