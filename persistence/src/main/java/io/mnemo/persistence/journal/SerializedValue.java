package io.mnemo.persistence.journal;

/** An object as Pekko serialization produced it: which serializer, its manifest, the bytes. */
record SerializedValue(int serializerId, String manifest, byte[] bytes) {
}
