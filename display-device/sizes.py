#!/usr/bin/env python3
"""Prints the flash and static RAM of ESP32-C6 ELF images and fails past the budgets of
issue 16 (flash <= 2 MB, static RAM <= 256 KB). Reads the section headers itself, so CI
needs no RISC-V binutils.

Flash: every allocated section with contents (code, read-only data, and the initial values
of .data and of the RAM code, which the bootloader copies from flash). Static RAM: allocated
sections in the HP SRAM (0x4080_0000..0x4088_0000) except the stack, which takes the rest."""
import struct
import sys

SRAM = (0x4080_0000, 0x4088_0000)
FLASH_BUDGET, RAM_BUDGET = 2 * 1024 * 1024, 256 * 1024


def sections(path):
    data = open(path, "rb").read()
    if data[:4] != b"\x7fELF" or data[4] != 1:
        sys.exit(f"{path}: not a 32-bit ELF")
    shoff, = struct.unpack_from("<I", data, 0x20)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x2E)
    heads = [struct.unpack_from("<IIIIIIIIII", data, shoff + i * shentsize) for i in range(shnum)]
    strtab = heads[shstrndx][4]
    for name, kind, flags, addr, _off, size, *_ in heads:
        end = data.index(b"\0", strtab + name)
        yield data[strtab + name:end].decode(), kind, flags, addr, size


def main():
    failed = False
    for path in sys.argv[1:]:
        flash = ram = 0
        for name, kind, flags, addr, size in sections(path):
            alloc, nobits = flags & 2, kind == 8
            if not alloc or name == ".stack" or name.startswith(".text_gap"):
                continue
            if not nobits:
                flash += size
            if SRAM[0] <= addr < SRAM[1]:
                ram += size
        ok = flash <= FLASH_BUDGET and ram <= RAM_BUDGET
        failed |= not ok
        print(f"{path.rsplit('/', 1)[-1]}: flash {flash} B ({flash / 1024:.0f} KiB), "
              f"static RAM {ram} B ({ram / 1024:.0f} KiB){'' if ok else '  OVER BUDGET'}")
    sys.exit(1 if failed else 0)


main()
