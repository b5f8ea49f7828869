/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * layout.h — the hypervisor's virtual memory layout, shared by C and assembly.
 *
 *   0xffffffff80000000 + pa   the hypervisor image (linked there, -mcmodel=kernel)
 *   0xffff800000000000 + pa   direct map of the first 512 GiB of physical memory
 *   0 + pa                    identity map, kept only while APs boot
 */
#ifndef CAIRN_LAYOUT_H
#define CAIRN_LAYOUT_H

#define HV_VIRT_BASE   0xffffffff80000000
#define DIRECTMAP_BASE 0xffff800000000000
#define HV_PHYS_BASE   0x200000

#define TRAMP_BASE     0x8000   /* real-mode AP trampoline page */

#define SEL_CODE64     0x08
#define SEL_DATA       0x10
#define SEL_CODE32     0x18
#define SEL_TSS        0x20

#define STACK_SIZE     0x4000

#endif /* CAIRN_LAYOUT_H */
