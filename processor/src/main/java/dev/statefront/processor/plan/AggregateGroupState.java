package dev.statefront.processor.plan;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The {@link GroupState} of a compiled view: a row count plus one accumulator per {@link AggregateCall}. NULL
 * inputs are skipped by every aggregate (COUNT(*)'s input is a non-null marker unless a FILTER clause rejects
 * the row).
 *
 * <p>Binary form: format byte {@value #FORMAT}, row count (zig-zag varint), then each accumulator's state.
 */
public final class AggregateGroupState implements GroupState {
    static final int FORMAT = 1;

    private final Accumulator[] accumulators;
    private long rowCount;

    private AggregateGroupState(Accumulator[] accumulators) {
        this.accumulators = accumulators;
    }

    /**
     * An empty group for the given aggregates.
     *
     * @param calls the aggregates, in {@link ViewPlan#aggregateInputs} order; not null
     * @param retractable false if the source is append-only, so MIN/MAX may keep only the current extreme
     * @throws IllegalArgumentException if an aggregate does not apply to its input type
     */
    public static AggregateGroupState empty(List<AggregateCall> calls, boolean retractable) {
        Accumulator[] accs = new Accumulator[calls.size()];
        for (int i = 0; i < accs.length; i++) {
            accs[i] = Accumulators.create(calls.get(i), retractable);
        }
        return new AggregateGroupState(accs);
    }

    /**
     * A group read back from {@link #toBytes()} of a group with the same aggregates and retractability.
     *
     * @throws IllegalArgumentException if the bytes are not such a group state
     */
    public static AggregateGroupState fromBytes(List<AggregateCall> calls, boolean retractable, byte[] bytes) {
        AggregateGroupState state = empty(calls, retractable);
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            int format = in.readUnsignedByte();
            if (format != FORMAT) {
                throw new IllegalArgumentException("unknown group state format " + format + " (expected " + FORMAT
                        + ")");
            }
            state.rowCount = StateValueCodec.readSignedVarLong(in);
            for (Accumulator a : state.accumulators) {
                a.read(in);
            }
            if (in.available() != 0) {
                throw new IllegalArgumentException("group state has " + in.available() + " trailing bytes");
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new IllegalArgumentException("bytes are not a group state of " + calls, e);
        }
        return state;
    }

    @Override
    public void add(Object[] aggregateInputs) {
        rowCount++;
        for (int i = 0; i < accumulators.length; i++) {
            Object v = aggregateInputs[i];
            if (v != null) {
                accumulators[i].add(v);
            }
        }
    }

    @Override
    public void retract(Object[] aggregateInputs) {
        rowCount--;
        for (int i = 0; i < accumulators.length; i++) {
            Object v = aggregateInputs[i];
            if (v != null) {
                accumulators[i].retract(v);
            }
        }
    }

    @Override
    public long rowCount() {
        return rowCount;
    }

    @Override
    public Object[] results() {
        Object[] r = new Object[accumulators.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = accumulators[i].result();
        }
        return r;
    }

    @Override
    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + 10 * accumulators.length);
        DataOutputStream out = new DataOutputStream(bytes);
        try {
            out.writeByte(FORMAT);
            StateValueCodec.writeSignedVarLong(out, rowCount);
            for (Accumulator a : accumulators) {
                a.write(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode group state", e); // in-memory stream: not expected
        }
        return bytes.toByteArray();
    }
}
