/**
 * Register and field declarations for hardware models, in one style: the layout of every
 * register and in-memory structure is declared once, with the specification section it comes
 * from, and both halves of a model use it: the driver to build values, the hardware model to
 * decode them and to route MMIO accesses.
 *
 * <ul>
 * <li>{@link org.iommulab.modelkit.regs.Field}: bits {@code [msb:lsb]} of a word, with
 * extract ({@code get}) and insert ({@code of}, {@code set}, refusing a value that does not fit);
 * <li>{@link org.iommulab.modelkit.regs.Register}: name, offset, width, access, spec section,
 * fields, implemented bits and reset value, with the access's read and write semantics;
 * <li>{@link org.iommulab.modelkit.regs.RegisterBlock}: the registers of one frame, looked up by
 * offset without allocating;
 * <li>{@link org.iommulab.modelkit.regs.StructLayout} and
 * {@link org.iommulab.modelkit.regs.StructField}: in-memory structures of 64-bit words (stream
 * table entries, descriptors, queue entries), a field at a word and bit range.
 * </ul>
 *
 * <p>A third-party model declares its registers as constants and routes its MMIO through a
 * block:
 *
 * <pre>{@code
 * final class MyIommuRegs {
 *     static final String S = "MyIOMMU TRM §3.2 ";
 *     static final Field CTRL_EN = Field.bit("EN", 0);
 *     static final Field CTRL_MODE = Field.range("MODE", 3, 1);
 *     static final Register CTRL = Register.r32("CTRL", 0x00, Access.RW, S + "CTRL").fields(CTRL_EN, CTRL_MODE);
 *     static final Field STATUS_ERR = Field.bit("ERR", 0);
 *     static final Register STATUS = Register.r32("STATUS", 0x04, Access.W1C, S + "STATUS").fields(STATUS_ERR);
 *     static final Register BASE = Register.r64("BASE", 0x08, Access.RW, S + "BASE").implemented(0x000f_ffff_ffff_f000L);
 *     static final RegisterBlock BLOCK = RegisterBlock.of("MyIOMMU", 0x10, List.of(CTRL, STATUS, BASE));
 * }
 *
 * // in the model: decode, check, apply the access semantics
 * RegisterBlock.Slot s = MyIommuRegs.BLOCK.lookup(offset);
 * if (s == null) throw new IllegalArgumentException(MyIommuRegs.BLOCK.missing(offset));
 * if (s.register() == MyIommuRegs.STATUS) status = MyIommuRegs.STATUS.write(status, value); // W1C
 * }</pre>
 *
 * <p>Every type here is immutable and thread-safe: declarations are built once, in static
 * initialisers, and read concurrently by any number of model instances. Only building a
 * declaration allocates.
 */
@Export
@Version("1.0.0")
package org.iommulab.modelkit.regs;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
