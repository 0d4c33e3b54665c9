package dev.statefront.processor.plan;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** The running state of one aggregate in one group. Inputs are never null: the group state skips NULLs. */
interface Accumulator {
    void add(Object value);

    void retract(Object value);

    Object result();

    void write(DataOutput out) throws IOException;

    void read(DataInput in) throws IOException;
}
