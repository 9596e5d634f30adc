// SPDX-License-Identifier: MIT
// Module BTF: CO-RE relocations against types that exist only in a kernel module's BTF (/sys/kernel/btf/<module>,
// split on vmlinux; CONFIG_DEBUG_INFO_BTF_MODULES, 5.11+). bpf-progs/module_btf.bpf.c relocates against the veth
// module's struct veth_priv and struct veth_rq; what the program reports must be what the module's BTF says.
// module_kfunc.bpf.o calls nf_conntrack's kfuncs, which only that module's BTF has.
//
// The modules must be loaded: tools/vm/run.sh loads veth and nf_conntrack in the test VMs (tools/vm/modules.list).
// Kernels without them, or without module BTF (the host has no modules at all), skip with the reason.
#include <catch2/catch.hpp>

#include <linux/bpf.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <ebpf/ebpf.hpp>
#include <ebpf/kernel_btf.hpp>

#include "support/btf_builder.hpp"
#include "support/elf_builder.hpp"
#include "support/objects.hpp"
#include "support/runnable.hpp"
#include "support/skip.hpp"

using namespace ebpf;

namespace {

constexpr const char* kModule = "veth";

// Byte offset of a named member of a struct (no anonymous-member search: these are top-level fields).
std::uint32_t member_offset(const btf::Type& t, std::string_view name) {
    for (std::uint32_t i = 0; i < t.vlen(); ++i)
        if (t.member(i).name == name) return t.member(i).bit_offset / 8;
    FAIL("no member " << name << " in the module's struct");
    return 0;
}

// Writes `bytes` to a fresh file under /tmp and removes it again at scope exit.
class TempFile {
public:
    explicit TempFile(const std::vector<std::byte>& bytes) {
        char tmpl[] = "/tmp/ebpf-btf-file-XXXXXX";
        const int fd = ::mkstemp(tmpl);
        REQUIRE(fd >= 0);
        path_ = tmpl;
        REQUIRE(::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
        ::close(fd);
    }
    ~TempFile() { ::unlink(path_.c_str()); }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    const char* path() const { return path_.c_str(); }

private:
    std::string path_;
};

}  // namespace

// btf_from_file() is what `ebpf-tool btf dump --base` reads with; module BTF is its real use, which this host
// may lack (no modules), so split BTF written here stands in for it, and the running kernel's modules are
// compared with KernelBtf::module() when there are any.
TEST_CASE("btf_from_file: raw BTF, an ELF file's .BTF, and split BTF on a base", "[modules]") {
    test::BtfBuilder base;
    const btf::TypeId i32 = base.add_int("int", 4, btf::kIntSigned);
    base.add_struct("base_s", 4, {{"x", i32, 0}});
    test::BtfBuilder mod = test::BtfBuilder::split_on(base);
    const btf::TypeId mod_s = mod.add_struct("mod_s", 8, {{"x", i32, 0}, {"y", i32, 32}});
    TempFile base_file(base.build()), split_file(mod.build());
    test::ElfBuilder elf;
    elf.add_section(".BTF", 1 /* SHT_PROGBITS */, 0, base.build());
    TempFile elf_file(elf.build());

    auto b = btf_from_file(base_file.path());
    if (!b) FAIL(std::string(b.error().message()));
    CHECK(b->type_count() == 3);
    auto from_elf = btf_from_file(elf_file.path());
    if (!from_elf) FAIL(std::string(from_elf.error().message()));
    CHECK(from_elf->type_count() == 3);
    CHECK(from_elf->find("base_s", btf::Kind::Struct).value_or(0) == 2);

    auto split = btf_from_file(split_file.path(), &*b);
    if (!split) FAIL(std::string(split.error().message()));
    CHECK(split->first_id() == 3);
    CHECK(split->type_count() == 4);
    CHECK(split->find("mod_s", btf::Kind::Struct).value_or(0) == mod_s);
    CHECK(split->type_or_void(mod_s).member(0).name == "x");  // a name from the base's strings
    CHECK(split->find("base_s", btf::Kind::Struct).value_or(0) == 2);  // the base's types through the split spec

    auto missing = btf_from_file("/nonexistent/btf");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code() == Errc::NotFound);
    const std::string text = "root:x:0:0:root:/root:/bin/sh\n";  // a text file (the VMs have no /etc/passwd)
    std::vector<std::byte> text_bytes(text.size());
    std::memcpy(text_bytes.data(), text.data(), text.size());
    TempFile text_file(text_bytes);
    auto not_btf = btf_from_file(text_file.path());
    REQUIRE_FALSE(not_btf);
    CHECK(not_btf.error().code() == Errc::MalformedBtf);
    CHECK(std::string(not_btf.error().message()).find(text_file.path()) != std::string::npos);

    auto kernel = KernelBtf::running();
    if (!kernel || (*kernel)->module_names().empty()) return;  // the part above is the test on such hosts
    const std::string name = (*kernel)->module_names().front();
    auto listed = (*kernel)->module(name);
    REQUIRE(listed);
    auto read = btf_from_file(("/sys/kernel/btf/" + name).c_str(), &(*kernel)->vmlinux());
    if (!read) FAIL(std::string(read.error().message()));
    CHECK(read->first_id() == (*listed)->first_id());
    CHECK(read->type_count() == (*listed)->type_count());
}

TEST_CASE("module BTF: CO-RE against types only the veth module has", "[modules]") {
    const std::string sysfs = std::string("/sys/kernel/btf/") + kModule;
    if (::access(sysfs.c_str(), R_OK) != 0)
        EBPF_SKIP("no BTF for module " << kModule << ": " << sysfs << ": " << std::strerror(errno)
                                        << " (module not loaded, or a kernel without modules or module BTF)");
    auto kernel = KernelBtf::running();
    if (!kernel) FAIL(std::string(kernel.error().message()));
    const btf::Spec& vmlinux = (*kernel)->vmlinux();
    // The library lists the module and parses its split BTF.
    const auto& names = (*kernel)->module_names();
    REQUIRE(std::find(names.begin(), names.end(), kModule) != names.end());
    auto veth = (*kernel)->module(kModule);
    if (!veth) FAIL(std::string(veth.error().message()));
    const btf::Spec& mod = **veth;
    // Only the module has these types: a relocation that resolves proves the loader searched module BTF.
    CHECK_FALSE(vmlinux.find("veth_priv", btf::Kind::Struct));
    auto priv_id = mod.find("veth_priv", btf::Kind::Struct);
    auto rq_id = mod.find("veth_rq", btf::Kind::Struct);
    REQUIRE(priv_id);
    REQUIRE(rq_id);
    CHECK(*priv_id >= vmlinux.type_count());  // split BTF numbers its types after vmlinux's
    const btf::Type priv = mod.type_or_void(*priv_id);
    const btf::Type rq = mod.type_or_void(*rq_id);

    EBPF_SKIP_IF(test::cannot_run_syscall_programs());  // a syscall-section program (support/runnable.hpp)
    auto obj = Object::load_file(test::obj_path("module_btf.bpf.o").c_str());
    if (!obj) FAIL(std::string(obj.error().message()));
    Program* p = obj->find_program("read_module_types");
    REQUIRE(p);
    test::runnable(*p);
    if (auto r = p->load(); !r) FAIL(std::string(r.error().message()));
    auto run = p->test_run({});
    if (!run) FAIL(std::string(run.error().message()));
    CHECK(run->retval == 0);

    struct Out {
        std::uint32_t priv_exists, priv_size, priv_type_id;
        std::uint32_t peer_offset, rq_offset, headroom_offset, headroom_size;
        std::uint32_t rq_exists, rq_size, rq_dev_offset, rq_xdp_prog_offset;
        std::uint32_t fake_field_exists;
        std::uint32_t ran;
    } out{};
    if (auto r = obj->read_global("module_btf_seen", as_writable_bytes_of(out)); !r)
        FAIL(std::string(r.error().message()));
    REQUIRE(out.ran == 1);
    CHECK(out.priv_exists == 1);
    CHECK(out.priv_size == priv.size());
    CHECK(out.priv_type_id == *priv_id);  // the kernel's id: the module's split BTF numbering
    CHECK(out.peer_offset == member_offset(priv, "peer"));
    CHECK(out.rq_offset == member_offset(priv, "rq"));
    CHECK(out.headroom_offset == member_offset(priv, "requested_headroom"));
    CHECK(out.headroom_size == 4);
    CHECK(out.rq_exists == 1);
    CHECK(out.rq_size == rq.size());
    CHECK(out.rq_dev_offset == member_offset(rq, "dev"));
    CHECK(out.rq_xdp_prog_offset == member_offset(rq, "xdp_prog"));
    CHECK(out.fake_field_exists == 0);
}

TEST_CASE("module BTF: kfuncs that nf_conntrack defines are called by their module BTF id", "[modules]") {
    constexpr const char* kCt = "nf_conntrack";
    const std::string sysfs = std::string("/sys/kernel/btf/") + kCt;
    if (::access(sysfs.c_str(), R_OK) != 0)
        EBPF_SKIP("no BTF for module " << kCt << ": " << sysfs << ": " << std::strerror(errno)
                                        << " (module not loaded, or a kernel without modules or module BTF)");
    auto kernel = KernelBtf::running();
    if (!kernel) FAIL(std::string(kernel.error().message()));
    auto ct = (*kernel)->module(kCt);
    if (!ct) FAIL(std::string(ct.error().message()));
    auto lookup_id = (*ct)->find("bpf_xdp_ct_lookup", btf::Kind::Func);
    if (!lookup_id) EBPF_SKIP(kCt << "'s BTF has no FUNC bpf_xdp_ct_lookup: this kernel has no conntrack kfuncs");
    CHECK_FALSE((*kernel)->vmlinux().find("bpf_xdp_ct_lookup", btf::Kind::Func));

    auto obj = Object::load_file(test::obj_path("module_kfunc.bpf.o").c_str());
    if (!obj) FAIL(std::string(obj.error().message()));
    Program* p = obj->find_program("ct_lookup");
    REQUIRE(p);
    // The call carries the module's BTF id, and a non-zero fd_array index (0 would mean vmlinux).
    int module_calls = 0;
    for (const Instruction& in : p->def().instructions)
        if (in.is_call() && in.src == kPseudoKfuncCall && static_cast<std::uint32_t>(in.imm) == *lookup_id) {
            CHECK(in.off > 0);
            ++module_calls;
        }
    CHECK(module_calls == 1);
    if (auto r = p->load(); !r) FAIL(std::string(r.error().message()));
    std::vector<std::byte> pkt(64);
    auto run = p->test_run({.data_in = pkt});
    if (!run) FAIL(std::string(run.error().message()));
    CHECK(run->retval == 2);  // XDP_PASS
    struct Out {
        std::int32_t error;
        std::uint32_t found, ran;
    } out{};
    if (auto r = obj->read_global("ct_seen", as_writable_bytes_of(out)); !r) FAIL(std::string(r.error().message()));
    CHECK(out.ran == 1);
    CHECK(out.found == 0);
    CHECK(out.error == -ENOENT);  // the kfunc ran: no conntrack entry for that tuple
}
