// SPDX-License-Identifier: MIT
// BPF_PROG_TEST_RUN: the shared runner (owned output buffers, ENOSPC handled) and the __sk_buff helper.
#include <ebpf/programs/skb_test_run.hpp>

#include <ebpf/program.hpp>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>

#include "base/format.hpp"
#include "programs/test_run_util.hpp"
#include "sys/bpf.hpp"
#include "sys/net_ctx.hpp"

namespace ebpf {

using detail::format;

namespace detail {

Result<RawTestOut> run_test(const Program& p, const RawTestRun& in, const std::string& what, const char* ctx_hint) {
    if (!p.loaded()) return Error(Errc::InvalidArgument, what + ": the program is not loaded");
    RawTestOut out;
    out.data.resize(in.data_out_size);
    out.ctx.resize(in.ctx_out_size);
    for (int attempt = 0;; ++attempt) {
        sys::TestRunAttr a{};
        a.prog_fd = static_cast<std::uint32_t>(p.fd().get());
        a.data_in = sys::ptr_to_u64(in.data_in.data());
        a.data_size_in = static_cast<std::uint32_t>(in.data_in.size());
        if (!out.data.empty()) {
            a.data_out = sys::ptr_to_u64(out.data.data());
            a.data_size_out = static_cast<std::uint32_t>(out.data.size());
        }
        a.ctx_in = sys::ptr_to_u64(in.ctx_in.data());
        a.ctx_size_in = static_cast<std::uint32_t>(in.ctx_in.size());
        if (!out.ctx.empty()) {
            a.ctx_out = sys::ptr_to_u64(out.ctx.data());
            a.ctx_size_out = static_cast<std::uint32_t>(out.ctx.size());
        }
        a.repeat = in.repeat;
        a.flags = in.flags;
        auto r = sys::prog_test_run(a);
        if (r) {
            out.retval = a.retval;
            out.duration_ns = a.duration;
            out.data.resize(std::min<std::size_t>(a.data_size_out, out.data.size()));
            out.ctx.resize(std::min<std::size_t>(a.ctx_size_out, out.ctx.size()));
            return out;
        }
        Error e = std::move(r).error();
        // ENOSPC: the output did not fit; the kernel still reported its size. One more run with room for it.
        if (e.sys_errno() == ENOSPC && attempt == 0 && a.data_size_out > out.data.size()) {
            out.data.resize(a.data_size_out);
            continue;
        }
        if (e.sys_errno() == ENOTSUP || e.sys_errno() == 524 /* ENOTSUPP */) {
            e.recode(Errc::NotSupported);
            e.context(format("the kernel has no test runs for %.*s programs", EBPF_SV(to_string(p.type()))));
        } else if (e.sys_errno() == EINVAL && !in.ctx_in.empty() && *ctx_hint) {
            e.context(ctx_hint);
        }
        return std::move(e).context(what);
    }
}

}  // namespace detail

namespace {

bool runs_on_skb(ProgramType t) {
    switch (t) {
    case ProgramType::SchedCls:
    case ProgramType::SchedAct:
    case ProgramType::SocketFilter:
    case ProgramType::CgroupSkb:
    case ProgramType::LwtIn:
    case ProgramType::LwtOut:
    case ProgramType::LwtXmit:
    case ProgramType::LwtSeg6local: return true;
    default: return false;
    }
}

sys::SkBuffRaw skb_ctx_to_raw(const SkbContext& c) {
    sys::SkBuffRaw r{};
    r.mark = c.mark;
    r.priority = c.priority;
    r.ingress_ifindex = c.ingress_ifindex;
    r.ifindex = c.ifindex;
    std::memcpy(r.cb, c.cb, sizeof r.cb);
    r.tstamp = c.tstamp;
    r.wire_len = c.wire_len;
    r.gso_segs = c.gso_segs;
    r.gso_size = c.gso_size;
    r.hwtstamp = c.hwtstamp;
    return r;
}

SkbContext skb_ctx_from_raw(const sys::SkBuffRaw& r) {
    SkbContext c;
    c.mark = r.mark;
    c.priority = r.priority;
    c.ingress_ifindex = r.ingress_ifindex;
    c.ifindex = r.ifindex;
    std::memcpy(c.cb, r.cb, sizeof c.cb);
    c.tstamp = r.tstamp;
    c.wire_len = r.wire_len;
    c.gso_segs = r.gso_segs;
    c.gso_size = r.gso_size;
    c.hwtstamp = r.hwtstamp;
    return c;
}

}  // namespace

Result<SkbTestResult> test_run_skb(const Program& program, std::span<const std::byte> packet,
                                   const SkbTestRunOptions& options) {
    const std::string what = format("test run of %.*s program '%s'", EBPF_SV(to_string(program.type())),
                                    program.name().c_str());
    if (!runs_on_skb(program.type()))
        return Error(Errc::InvalidArgument,
                     what + ": test_run_skb() runs programs that see a struct __sk_buff (sched_cls, sched_act, "
                            "socket_filter, cgroup_skb, lwt_*)");
    constexpr std::size_t kEthHeader = 14;
    if (packet.size() < kEthHeader)
        return Error(Errc::InvalidArgument,
                     format("%s: the packet has %zu bytes; it must start with a 14-byte Ethernet header", what.c_str(),
                            packet.size()));
    sys::SkBuffRaw ctx{};
    detail::RawTestRun in;
    in.data_in = packet;
    // Room for what a program may add (bpf_skb_change_tail/head, encapsulation); more costs one more run.
    in.data_out_size = std::max<std::size_t>(packet.size() + 4096, 8192);
    in.repeat = options.repeat;
    if (options.context) {
        ctx = skb_ctx_to_raw(*options.context);
        in.ctx_in = std::as_bytes(std::span(&ctx, 1));
        in.ctx_out_size = sizeof ctx;
    }
    auto out = detail::run_test(program, in, what,
                                "(the kernel refuses __sk_buff fields it does not let a test set, and interfaces "
                                "that are not in the calling thread's network namespace)");
    if (!out) return std::move(out).error();
    SkbTestResult res;
    res.retval = static_cast<std::int32_t>(out->retval);
    res.packet = std::move(out->data);
    res.duration_ns = out->duration_ns;
    // Older kernels have a shorter struct __sk_buff (hwtstamp is 5.16): what they return is read, the rest is 0.
    if (options.context && out->ctx.size() >= offsetof(sys::SkBuffRaw, gso_size)) {
        sys::SkBuffRaw back{};
        std::memcpy(&back, out->ctx.data(), std::min(out->ctx.size(), sizeof back));
        res.context = skb_ctx_from_raw(back);
    }
    return res;
}

}  // namespace ebpf
