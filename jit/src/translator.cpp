// X64Translator: owns the code buffer and the shared stubs, translates blocks with Emitter, and
// keeps the links between translations (patched JMP rel32 sites) consistent with block
// retirement.
//
// Links: a direct exit whose target lies on the block's own linear page starts as a jump to a
// "miss" stub that leaves the target EIP and the exit's identity in the hot frame; the dispatcher
// finds or builds the target block and calls link(), which patches the exit to jump straight into
// the target's translation. Since the translation is guarded by CS.base and EIP and the target is
// on the same linear page, its physical address follows from the source's whatever CR3 or INVLPG
// did: a mapping change can only be seen through an instruction that ends the run (MOV CR3,
// INVLPG, far transfers are system exits), and the dispatcher re-checks the entry then. Every
// record lists the exits linked into it, so retiring a block patches them back to their misses.
#include <asmjit/x86.h>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

#include "code_buffer.h"
#include "emitter.h"
#include "frame_layout.h"
#include "jit/jit.h"
#include "runtime_helpers.h"

namespace pcjit::jit {

namespace {

using asmjit::imm;

struct Exit {
  u32 patch = 0;  // offset of the E9 rel32 in the block's code
  u32 miss = 0;   // offset of its miss stub
  u32 target_eip = 0;
  FlagsAt flags = FlagsAt::Memory;  // where the source leaves the flags: picks the target's entry
  struct Record* linked = nullptr;
};

struct Record {
  Block* block = nullptr;
  Context* ctx = nullptr;
  CodeSpan code;
  const void* hf_entry = nullptr;  // entry with the guest flags in host EFLAGS
  const void* ax_entry = nullptr;  // entry with the guest flags parked in AX
  std::vector<Exit> exits;
  std::vector<std::pair<Record*, u32>> incoming;  // (source, exit index) linked into this one
};

using EnterFn = u32 (*)(cpu::HotFrame*, Context*, const void*);

class X64Translator final : public cpu::Translator {
 public:
  explicit X64Translator(const JitOptions& o)
      : buf_(o.code_buffer_bytes + kStubBytes) {
    if (const char* d = std::getenv("PCJIT_JIT_DUMP")) parse_dump_filter(d);
    if (std::getenv("PCJIT_PERF_MAP")) open_perf_map();
    build_stubs();
  }
  ~X64Translator() override {
    buf_.release(stub_code_);
    if (perf_map_) std::fclose(perf_map_);
  }

  bool translate(Context& c, Block& b) override;
  cpu::JitExit run(Context& c, Block& b) override {
    const auto enter = reinterpret_cast<EnterFn>(const_cast<void*>(stubs_.enter));
    return static_cast<cpu::JitExit>(enter(static_cast<cpu::HotFrame*>(&c), &c, b.host_entry));
  }
  void link(Context& c, Block& target) override;
  void unlink(Block& b) override;
  void release(Block& b) override;
  bool full() const override { return buf_.used() + kHeadroom > buf_.limit(); }

 private:
  static constexpr std::size_t kStubBytes = 4096;
  static constexpr std::size_t kHeadroom = 64 * 1024;  // more than the largest block's code
  void build_stubs();
  void patch(Record& src, u32 k, const void* to);
  void open_perf_map();
  void perf_symbol(const void* at, std::size_t size, const char* fmt, u64 a, u32 b);

  CodeBuffer buf_;
  CodeSpan stub_code_;
  Stubs stubs_;
  // PCJIT_JIT_DUMP=1 prints each translation's host code on stderr; a comma list of hex entry
  // EIPs (PCJIT_JIT_DUMP=c10a8b50,8049b40) prints only those blocks.
  void parse_dump_filter(const char* spec);
  bool wants_dump(u32 eip) const {
    return dump_all_ || std::find(dump_eips_.begin(), dump_eips_.end(), eip) != dump_eips_.end();
  }
  bool dump_all_ = false;
  std::vector<u32> dump_eips_;
  // PCJIT_PERF_MAP set: /tmp/perf-PID.map names every translation ("pcjit_PHYS_EIP") and stub,
  // the file perf report reads for JIT code. Addresses can be reused after a flush; the map keeps
  // every name, and perf takes the newest for an address.
  std::FILE* perf_map_ = nullptr;
};

void X64Translator::parse_dump_filter(const char* spec) {
  if (std::strcmp(spec, "1") == 0 || std::strcmp(spec, "all") == 0) {
    dump_all_ = true;
    return;
  }
  for (const char* p = spec; *p;) {
    char* end = nullptr;
    const unsigned long v = std::strtoul(p, &end, 16);
    if (end == p) break;
    dump_eips_.push_back(static_cast<u32>(v));
    p = *end == ',' ? end + 1 : end;
  }
}

void X64Translator::open_perf_map() {
  char path[64];
  std::snprintf(path, sizeof path, "/tmp/perf-%d.map", static_cast<int>(getpid()));
  perf_map_ = std::fopen(path, "w");
  if (!perf_map_) std::fprintf(stderr, "pcjit: PCJIT_PERF_MAP: cannot write %s\n", path);
}

void X64Translator::perf_symbol(const void* at, std::size_t size, const char* fmt, u64 a, u32 b) {
  if (!perf_map_) return;
  std::fprintf(perf_map_, "%llx %zx ", static_cast<unsigned long long>(reinterpret_cast<uintptr_t>(at)), size);
  std::fprintf(perf_map_, fmt, static_cast<unsigned long long>(a), b);
  std::fputc('\n', perf_map_);
  std::fflush(perf_map_);
}

// Shared stubs:
// enter(frame, ctx, entry): push rbp, rbx, r12-r15 ; sub rsp, 8 ; mov rbx, rdi ; mov rbp, rsi
//                           <gpr[] -> r8-r15> ; jmp rdx
// exit (eax = JitExit):     <r8-r15 -> gpr[]> ; add rsp, 8 ; pop r15-r12, rbx, rbp ; ret
// lookup (flags in CpuState): <CpuState flags -> AX>, then as lookup_saved
// lookup_saved (flags in AX):  mov edx, [eip] ; imul ecx, edx, kItcMul ; shr ecx, 32-kItcBits
//                              shl ecx, 4 ; mov edi, [itc_gen] ; shl rdi, 32 ; or rdi, rdx
//                              cmp [rbx+itc+rcx], rdi ; jne slow ; jmp [rbx+itc+rcx+8]
//                    slow:     push rax ; push rax ; push r8-r11 ; call rt_lookup(ctx)
//                              pop r11-r8 ; mov rdx, rax ; pop rax ; pop rax
//                              test rdx, rdx ; jz ended ; jmp rdx    (a saved-flags entry)
//                    ended:    <AX -> CpuState flags> ; mov eax, Ended ; jmp exit
// helper_exit (eax = Exec): Fault -> refund 1, JitExit::Fault ; Halt -> Halt ; else Ended
void X64Translator::build_stubs() {
  asmjit::CodeHolder code;
  code.init(asmjit::Environment::host());
  x86::Assembler a(&code);
  asmjit::Label enter = a.newLabel(), exit = a.newLabel(), lookup = a.newLabel(), helper = a.newLabel();
  asmjit::Label lookup_saved = a.newLabel();
  asmjit::Label ended = a.newLabel(), not_fault = a.newLabel(), not_halt = a.newLabel();
  a.bind(enter);
  a.push(x86::rbp);
  a.push(x86::rbx);
  a.push(x86::r12);
  a.push(x86::r13);
  a.push(x86::r14);
  a.push(x86::r15);
  a.sub(x86::rsp, 8);
  a.mov(x86::rbx, x86::rdi);
  a.mov(x86::rbp, x86::rsi);
  for (unsigned r = 0; r < 8; ++r) a.mov(x86::gpq(8 + r), x86::qword_ptr(x86::rbx, static_cast<i32>(layout::gpr(r))));
  a.jmp(x86::rdx);
  a.bind(exit);
  for (unsigned r = 0; r < 8; ++r) a.mov(x86::qword_ptr(x86::rbx, static_cast<i32>(layout::gpr(r))), x86::gpq(8 + r));
  a.add(x86::rsp, 8);
  a.pop(x86::r15);
  a.pop(x86::r14);
  a.pop(x86::r13);
  a.pop(x86::r12);
  a.pop(x86::rbx);
  a.pop(x86::rbp);
  a.ret();
  a.bind(lookup);
  emit_load_saved_flags(a);
  a.bind(lookup_saved);
  asmjit::Label slow = a.newLabel();
  a.mov(x86::edx, x86::dword_ptr(x86::rbx, static_cast<i32>(layout::kEip)));
  a.imul(x86::ecx, x86::edx, cpu::HotFrame::kItcMul);
  a.shr(x86::ecx, 32 - cpu::HotFrame::kItcBits);
  a.shl(x86::ecx, 4);
  a.mov(x86::edi, x86::dword_ptr(x86::rbx, static_cast<i32>(layout::kItcGen)));
  a.shl(x86::rdi, 32);
  a.or_(x86::rdi, x86::rdx);
  a.cmp(x86::qword_ptr(x86::rbx, x86::rcx, 0, static_cast<i32>(layout::kItc)), x86::rdi);
  a.jne(slow);
  a.jmp(x86::qword_ptr(x86::rbx, x86::rcx, 0, static_cast<i32>(layout::kItc + 8)));
  a.bind(slow);
  // The flags (rax) and the caller-saved guest registers; six pushes keep rsp aligned.
  for (const x86::Gp& r : {x86::rax, x86::rax, x86::r8, x86::r9, x86::r10, x86::r11}) a.push(r);
  a.mov(x86::rdi, x86::rbp);
  a.mov(x86::rax, imm(reinterpret_cast<uintptr_t>(&rt_lookup)));
  a.call(x86::rax);
  for (const x86::Gp& r : {x86::r11, x86::r10, x86::r9, x86::r8}) a.pop(r);
  a.mov(x86::rdx, x86::rax);
  a.pop(x86::rax);
  a.pop(x86::rax);
  a.test(x86::rdx, x86::rdx);
  a.jz(ended);
  a.jmp(x86::rdx);
  a.bind(ended);
  emit_store_saved_flags(a);
  a.mov(x86::eax, static_cast<u32>(cpu::JitExit::Ended));
  a.jmp(exit);
  a.bind(helper);
  a.cmp(x86::eax, static_cast<u32>(cpu::Exec::Fault));
  a.jne(not_fault);
  a.add(x86::qword_ptr(x86::rbx, static_cast<i32>(layout::kBudget)), 1);
  a.mov(x86::eax, static_cast<u32>(cpu::JitExit::Fault));
  a.jmp(exit);
  a.bind(not_fault);
  a.cmp(x86::eax, static_cast<u32>(cpu::Exec::Halt));
  a.jne(not_halt);
  a.mov(x86::eax, static_cast<u32>(cpu::JitExit::Halt));
  a.jmp(exit);
  a.bind(not_halt);
  a.mov(x86::eax, static_cast<u32>(cpu::JitExit::Ended));
  a.jmp(exit);
  code.flatten();
  code.resolveUnresolvedLinks();
  if (!buf_.alloc(code.codeSize(), stub_code_)) throw Error("jit: cannot allocate executable memory");
  code.relocateToBase(reinterpret_cast<uintptr_t>(stub_code_.rx));
  code.copyFlattenedData(stub_code_.rw, code.codeSize());
  asmjit::VirtMem::flushInstructionCache(stub_code_.rx, code.codeSize());
  auto at = [&](asmjit::Label l) {
    return static_cast<const u8*>(stub_code_.rx) + code.labelOffsetFromBase(l);
  };
  stubs_.enter = at(enter);
  stubs_.exit = at(exit);
  stubs_.lookup = at(lookup);
  stubs_.lookup_saved = at(lookup_saved);
  stubs_.helper_exit = at(helper);
  perf_symbol(stub_code_.rx, code.codeSize(), "pcjit_stubs_%llx_%x", 0, 0);
}

bool X64Translator::translate(Context& c, Block& b) {
  auto rec = std::make_unique<Record>();
  rec->block = &b;
  rec->ctx = &c;
  asmjit::CodeHolder code;
  code.init(asmjit::Environment::host());
  asmjit::FileLogger logger(stderr);
  if (wants_dump(b.entry_eip)) {
    std::fprintf(stderr, "---- block phys %#llx eip %#x (%zu insns)\n", static_cast<unsigned long long>(b.phys),
                 b.entry_eip, b.insns.size());
    code.setLogger(&logger);
  }
  x86::Assembler a(&code);
  Emitter e(a, c, b, stubs_, rec.get());
  e.emit_block();
  code.flatten();
  code.resolveUnresolvedLinks();
  const std::size_t estimate = code.codeSize();
  if (!buf_.alloc(estimate, rec->code)) return false;  // full: the dispatcher flushes soon
  if (code.relocateToBase(reinterpret_cast<uintptr_t>(rec->code.rx)) != asmjit::kErrorOk) {
    buf_.release(rec->code);
    return false;
  }
  const std::size_t size = code.codeSize();
  code.copyFlattenedData(rec->code.rw, size);
  buf_.shrink(rec->code, size);
  asmjit::VirtMem::flushInstructionCache(rec->code.rx, size);
  for (const ExitSite& s : e.exits())
    rec->exits.push_back(Exit{static_cast<u32>(code.labelOffsetFromBase(s.patch)),
                              static_cast<u32>(code.labelOffsetFromBase(s.miss)), s.target_eip,
                              s.flags});
  rec->hf_entry = static_cast<const u8*>(rec->code.rx) + code.labelOffsetFromBase(e.host_flags_entry());
  rec->ax_entry = static_cast<const u8*>(rec->code.rx) + code.labelOffsetFromBase(e.saved_flags_entry());
  b.host_entry_saved = rec->ax_entry;
  b.host_entry = rec->code.rx;
  perf_symbol(rec->code.rx, size, "pcjit_%llx_%x", b.phys, b.entry_eip);
  b.jit = rec.release();
  c.stats.jit_blocks++;
  c.stats.jit_code_bytes += size;
  return true;
}

// Writes `jmp rel32` at the exit's patch site towards `to`.
void X64Translator::patch(Record& src, u32 k, const void* to) {
  u8* rw = static_cast<u8*>(src.code.rw) + src.exits[k].patch;
  const u8* rx = static_cast<const u8*>(src.code.rx) + src.exits[k].patch;
  const i64 rel = static_cast<const u8*>(to) - (rx + 5);
  const i32 rel32 = static_cast<i32>(rel);
  std::memcpy(rw + 1, &rel32, 4);
  asmjit::VirtMem::flushInstructionCache(const_cast<u8*>(rx), 5);
}

void X64Translator::link(Context& c, Block& target) {
  auto* src = static_cast<Record*>(c.link_src);
  const u32 k = c.link_exit;
  c.link_src = nullptr;
  auto* dst = static_cast<Record*>(target.jit);
  if (!src || !dst || c.lockstep || k >= src->exits.size()) return;
  Exit& x = src->exits[k];
  const Block& from = *src->block;
  const u64 expect_phys = (from.phys & ~u64{0xFFF}) | ((from.cs_base + x.target_eip) & 0xFFF);
  if (x.linked || !from.valid || !target.valid || target.mode != from.mode ||
      target.entry_eip != x.target_eip || target.cs_base != from.cs_base || target.cs_limit != from.cs_limit || target.phys != expect_phys ||
      !cpu::seg_prop::holds(target.seg_assumed, from.seg_assumed))  // see HotFrame::seg_props
    return;
  const void* to = x.flags == FlagsAt::Host    ? dst->hf_entry
                   : x.flags == FlagsAt::Saved ? dst->ax_entry
                                               : target.host_entry;
  const i64 rel = static_cast<const u8*>(to) - (static_cast<const u8*>(src->code.rx) + x.patch + 5);
  if (rel != static_cast<i32>(rel)) return;  // out of rel32 reach (not with one allocator, but checked)
  patch(*src, k, to);
  x.linked = dst;
  dst->incoming.emplace_back(src, k);
  c.stats.jit_links++;
}

void X64Translator::unlink(Block& b) {
  auto* rec = static_cast<Record*>(b.jit);
  if (!rec) return;
  if (rec->ctx->link_src == rec) rec->ctx->link_src = nullptr;
  for (auto [src, k] : rec->incoming) {
    patch(*src, k, static_cast<const u8*>(src->code.rx) + src->exits[k].miss);
    src->exits[k].linked = nullptr;
  }
  rec->incoming.clear();
  for (u32 k = 0; k < rec->exits.size(); ++k) {
    Record* t = rec->exits[k].linked;
    if (!t) continue;
    std::erase(t->incoming, std::pair<Record*, u32>{rec, k});
    patch(*rec, k, static_cast<const u8*>(rec->code.rx) + rec->exits[k].miss);
    rec->exits[k].linked = nullptr;
  }
}

void X64Translator::release(Block& b) {
  auto* rec = static_cast<Record*>(b.jit);
  if (!rec) return;
  unlink(b);
  buf_.release(rec->code);
  delete rec;
  b.jit = nullptr;
  b.host_entry = nullptr;
  b.host_entry_saved = nullptr;
}

}  // namespace

bool host_supported() {
#if defined(__x86_64__)
  return true;  // every x86-64 CPU but the first Athlon 64 / Pentium 4 steppings has LAHF/SAHF
#else
  return false;
#endif
}

std::unique_ptr<cpu::Translator> make_translator(const JitOptions& options) {
  if (!host_supported()) throw Error("jit: this host is not x86-64; use -accel interp");
  return std::make_unique<X64Translator>(options);
}

}  // namespace pcjit::jit
