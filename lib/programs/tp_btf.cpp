// SPDX-License-Identifier: MIT
#include <ebpf/programs/tp_btf.hpp>

#include "programs/btf_program.hpp"

namespace ebpf {

Result<Link> BtfTracepoint::attach(const BtfTracepointAttachOptions& options) const {
    return detail::attach_btf_program(prog_, "tp_btf", options.cookie);
}

}  // namespace ebpf
