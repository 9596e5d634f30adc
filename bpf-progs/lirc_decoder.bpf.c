/* SPDX-License-Identifier: MIT */
/* A lirc_mode2 program (tests/kernel/lwt_test.cpp): kernels without CONFIG_BPF_LIRC_MODE2 refuse to load it. Kept
 * apart from the other objects so that refusal stays confined to it. */
#include "ebpf_test.h"

SEC("lirc_mode2")
int lirc_decoder(unsigned int *sample)
{
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
