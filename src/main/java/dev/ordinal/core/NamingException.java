package dev.ordinal.core;

/** The naming rule cannot produce names for a shape (e.g. templates claim more than the replicas). */
public class NamingException extends RuntimeException {
    public NamingException(String message) {
        super(message);
    }
}
