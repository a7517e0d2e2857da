// Context: everything the interpreter's handlers touch. One per CPU; no globals.
//
// Memory access contract (the soft-MMU, see mmu.cpp and segmentation.cpp):
// - read/write/map take a segment and an offset, check the segment's limit and rights, then
//   translate through the TLB. A fault is returned as Exec::Fault with the exception pending and
//   nothing written, so every handler can restart precisely.
// - An instruction that writes several places checks all of them before it writes any
//   (map() the destination for Write, then store through the MemRef).
// - Implicit supervisor accesses (descriptor tables, TSS, IDT) use the *_sys variants.
#pragma once
#include <cstring>
#include <memory>
#include <string>

#include "core/machine.h"
#include "cpu/cpu.h"
#include "cpu/observer.h"
#include "cpu/state.h"
#include "cpu/translator.h"
#include "hot_frame.h"
#include "insn.h"
#include "tlb.h"

namespace pcjit::cpu {

class BlockCache;
class StoreLog;

namespace vec {
constexpr u8 DE = 0, DB = 1, NMI = 2, BP = 3, OF = 4, BR = 5, UD = 6, NM = 7, DF = 8, TS = 10,
             NP = 11, SS = 12, GP = 13, PF = 14, MF = 16, AC = 17, MC = 18, XM = 19;
}

// How an event entered the CPU: it decides the IDT gate checks (DPL for software INT only),
// whether an error code is pushed, and which EIP is saved.
enum class EventKind : u8 { Exception, Software, Hardware, Int3, Into, Icebp };

// A translated memory operand: either a direct host pointer (one page, plain RAM) or the physical
// addresses of its bytes for the slow path (MMIO, ROM, code pages, page-crossing accesses).
struct MemRef {
  u8* host = nullptr;
  u32 lin = 0;
  u64 phys0 = 0;  // physical address of the first byte
  u64 phys1 = 0;  // physical address of the first byte on the second page (if split)
  u8 size = 0;
  u8 split = 0;   // bytes on the first page when the access crosses a page, else 0
};

// The HotFrame base holds the state translated code touches (s, tlb, exc, the exit word,
// block_dirty, the budget); everything else lives here.
class Context : public HotFrame {
 public:
  Context(core::Machine& m, Cpu& owner);
  ~Context();

  core::Machine& machine;
  core::PhysicalMemory& mem;
  core::IoBus& io;
  Cpu& owner;
  std::unique_ptr<BlockCache> blocks;
  std::unique_ptr<Translator> jit;       // null: interpreter only (-accel interp)
  ExecObserver* observer = nullptr;
  CpuStats stats;
  bool alignment_check = false;          // CR0.AM && EFLAGS.AC && CPL==3, recomputed on change
  bool single_step_mode = false;         // run one instruction per block (observer, TF, DRx)
  bool data_watch = false;               // a DR7 data breakpoint is enabled (slow-path checks)
  u8 db_hits = 0;                        // DR6.B0-B3 of data breakpoints hit by this instruction
  bool in_delivery = false;              // delivering an event (for #DF / triple-fault)
  u8 delivery_vector = 0;
  core::IrqSink* ferr = nullptr;         // x87 FERR# line (IRQ13 on a PC); fpu/x87_core.cpp drives it
  // Translated code: lockstep comparison (exec/lockstep.cpp) and event counting (--stats).
  bool lockstep = false;
  // A block is translated on its jit_threshold-th dispatch (default: the second). Most firmware
  // code runs once, and translating it costs more than interpreting it (docs/DESIGN.md).
  u32 jit_threshold = 2;
  StoreLog* store_log = nullptr;         // lockstep: every store is recorded (with its old bytes)
  bool count_events = false;
  std::string lockstep_error;
  // Virtual-clock bookkeeping while translated code runs: clock = jit_clock_base + instructions
  // retired by the translated run so far (budget_start - budget - the running block's length).
  u64 jit_clock_base = 0;
  i64 jit_budget_start = 0;
  // Brings the virtual clock to the start of the running translated block, as the interpreter has
  // it (it retires a block's instructions when the block ends): called before any helper that may
  // reach a device.
  void jit_sync_clock(u32 block_len) {
    const u64 want = jit_clock_base + static_cast<u64>(jit_budget_start - true_budget(*this)) - block_len;
    core::VirtualClock& clk = machine.clock();
    if (want > clk.retired()) clk.retire(want - clk.retired());
  }

  // ---- faults -------------------------------------------------------------------------------
  Exec raise(u8 vector) { return raise_err(vector, 0, false); }
  Exec raise(u8 vector, u32 error) { return raise_err(vector, error, true); }
  Exec raise_err(u8 vector, u32 error, bool has_error) {
    exc = PendingException{true, vector, has_error, error};
    return Exec::Fault;
  }
  Exec raise_gp(u32 error = 0) { return raise(vec::GP, error); }
  Exec raise_ud() { return raise(vec::UD); }

  // ---- segmentation -------------------------------------------------------------------------
  // Offset -> linear with limit and rights checks (#GP(0), or #SS(0) for SS).
  Exec seg_linear(unsigned seg, u32 off, unsigned size, Access acc, u32& lin) {
    const Segment& sg = s.seg[seg];
    bool ok = acc == Access::Write ? sg.writable : sg.readable;
    u64 last = u64{off} + size - 1;
    if (!ok || off < sg.lo || last > sg.hi) [[unlikely]]
      return seg_fault(seg, off, size, acc);
    lin = sg.base + off;
    return Exec::Ok;
  }
  Exec seg_fault(unsigned seg, u32 off, unsigned size, Access acc);

  // ---- paging and physical access -----------------------------------------------------------
  bool user_access() const { return s.cpl == 3; }
  // Translates [lin, lin+size) for the access kind; fills ref. user: privilege to check with.
  Exec map_linear(u32 lin, unsigned size, Access acc, bool user, MemRef& ref) {
    if (((lin & 0xFFF) + size) <= 0x1000) [[likely]] {
      TlbEntry& e = tlb.slot(acc, user, lin);
      if (e.tag == (lin >> 12) && !(alignment_check && (lin & (size - 1)))) [[likely]] {
        ref.host = reinterpret_cast<u8*>(lin + e.addend);
        ref.lin = lin;
        ref.size = static_cast<u8>(size);
        ref.split = 0;
        if (observer) [[unlikely]] ref.phys0 = (u64{e.ppage & ~TlbEntry::kGlobal} << 12) | (lin & 0xFFF);
        return Exec::Ok;
      }
    }
    return map_slow(lin, size, acc, user, ref);
  }
  Exec map_slow(u32 lin, unsigned size, Access acc, bool user, MemRef& ref);
  // Data breakpoints (DR7 R/W = 01 write, 11 read/write; SDM Vol. 3A 17.2.5): pages they watch
  // never enter the TLB, so every access to them reaches map_slow, which records hits here.
  bool page_watched(u32 lin) const;
  void note_data_breakpoints(u32 lin, unsigned size, Access acc);
  // Page walk: linear -> physical for one byte; sets A/D bits; raises #PF on failure.
  Exec translate(u32 lin, Access acc, bool user, u64& phys, bool fill_tlb);

  template <class T>
  T load(const MemRef& r) {
    T v;
    if (r.host) [[likely]] {
      std::memcpy(&v, r.host, sizeof(T));
    } else {
      v = static_cast<T>(load_slow(r));
    }
    if (observer) [[unlikely]] report(r, false, v);
    return v;
  }
  template <class T>
  void store(const MemRef& r, T v) {
    if (observer) [[unlikely]] report(r, true, v);
    if (r.host) [[likely]] {
      std::memcpy(r.host, &v, sizeof(T));
    } else {
      store_slow(r, v);
    }
  }
  u64 load_slow(const MemRef& r);
  void store_slow(const MemRef& r, u64 v);
  void report(const MemRef& r, bool write, u64 v);

  // Segmented accesses: the common case for handlers.
  template <class T>
  Exec map(unsigned seg, u32 off, Access acc, MemRef& ref) {
    u32 lin = 0;
    PCJIT_TRY(seg_linear(seg, off, sizeof(T), acc, lin));
    return map_linear(lin, sizeof(T), acc, user_access(), ref);
  }
  template <class T>
  Exec read(unsigned seg, u32 off, T& out) {
    MemRef r;
    PCJIT_TRY(map<T>(seg, off, Access::Read, r));
    out = load<T>(r);
    return Exec::Ok;
  }
  template <class T>
  Exec write(unsigned seg, u32 off, T v) {
    MemRef r;
    PCJIT_TRY(map<T>(seg, off, Access::Write, r));
    store<T>(r, v);
    return Exec::Ok;
  }
  // Linear-address accesses with an explicit privilege (descriptor tables and TSS use user=false).
  template <class T>
  Exec read_lin(u32 lin, T& out, bool user) {
    MemRef r;
    PCJIT_TRY(map_linear(lin, sizeof(T), Access::Read, user, r));
    out = load<T>(r);
    return Exec::Ok;
  }
  template <class T>
  Exec write_lin(u32 lin, T v, bool user) {
    MemRef r;
    PCJIT_TRY(map_linear(lin, sizeof(T), Access::Write, user, r));
    store<T>(r, v);
    return Exec::Ok;
  }
  template <class T>
  Exec read_sys(u32 lin, T& out) { return read_lin(lin, out, false); }
  template <class T>
  Exec write_sys(u32 lin, T v) { return write_lin(lin, v, false); }

  // ---- effective addresses and registers ----------------------------------------------------
  u32 ea(const Insn& i) const {
    u32 a = i.disp;
    if (i.base != kNoReg) a += static_cast<u32>(s.gpr[i.base]);
    if (i.index != kNoReg) a += static_cast<u32>(s.gpr[i.index]) << i.scale;
    return i.adsz == 2 ? (a & 0xFFFF) : a;
  }
  template <class T>
  T reg(unsigned r) const {
    if constexpr (sizeof(T) == 1) return s.reg8(r);
    else if constexpr (sizeof(T) == 2) return s.reg16(r);
    else return static_cast<u32>(s.gpr[r]);
  }
  template <class T>
  void set_reg(unsigned r, T v) {
    if constexpr (sizeof(T) == 1) s.set_reg8(r, v);
    else if constexpr (sizeof(T) == 2) s.set_reg16(r, v);
    else s.set_reg32(r, v);
  }

  // ---- stack --------------------------------------------------------------------------------
  bool stack32() const { return s.seg[SS].attrs & attr::DB; }
  u32 sp() const { return stack32() ? s.reg32(ESP) : s.reg16(ESP); }
  void set_sp(u32 v) {
    if (stack32()) s.set_reg32(ESP, v);
    else s.set_reg16(ESP, static_cast<u16>(v));
  }
  u32 sp_mask() const { return stack32() ? 0xFFFFFFFFu : 0xFFFFu; }
  template <class T>
  Exec push(T v) {
    u32 nsp = (sp() - sizeof(T)) & sp_mask();
    PCJIT_TRY(write<T>(SS, nsp, v));
    set_sp(nsp);
    return Exec::Ok;
  }
  template <class T>
  Exec pop(T& v) {
    u32 osp = sp();
    PCJIT_TRY(read<T>(SS, osp, v));
    set_sp((osp + sizeof(T)) & sp_mask());
    return Exec::Ok;
  }
  // Reads at SP+offset without moving SP (for instructions that pop several values and must
  // not commit before all reads succeed).
  template <class T>
  Exec peek(u32 offset, T& v) { return read<T>(SS, (sp() + offset) & sp_mask(), v); }

  // ---- control ------------------------------------------------------------------------------
  // EIP of the next instruction; wraps at 64 KiB in 16-bit code, as the run loop does.
  u32 next_eip(const Insn& i) const {
    const u32 n = s.eip() + i.len;
    return code32() ? n : (n & 0xFFFF);
  }
  bool code32() const { return s.seg[CS].attrs & attr::DB; }
  // Sets EIP for a near transfer, checking the CS limit (#GP(0) if outside).
  Exec jump_near(u32 target) {
    if (target > s.seg[CS].limit) [[unlikely]] return raise_gp(0);
    s.rip = target;
    return Exec::Jump;
  }

  // Flags the loop must see after a state change that affects how code runs.
  void update_mode_flags();
  void flush_tlb();
  // Debug checker (STYLE rule 6): every live TLB entry maps to the host bytes its physical page
  // has now, and no write entry covers a page holding translated code. Empty if consistent.
  std::string check_tlb() const;
  void set_cpl(u8 cpl) { s.cpl = cpl; update_mode_flags(); }

  // ---- segments and events (system.cpp, interrupts.cpp) ------------------------------------
  void load_seg_real(unsigned seg, u16 selector);  // real and v86 mode semantics
  // Loads a segment register in the current mode with all protected-mode checks.
  Exec load_seg(unsigned seg, u16 selector);
  // Delivers an interrupt or exception: real mode IVT, protected-mode IDT gates, v86.
  Exec deliver(u8 vector, EventKind kind, u32 error, bool has_error, u32 return_eip);
  // Delivers the pending exception with double-fault/triple-fault classification.
  void deliver_pending_exception();

  // ---- I/O ----------------------------------------------------------------------------------
  // Checks IOPL / the TSS I/O bitmap for size bytes at port (#GP(0) when denied).
  Exec check_io(u16 port, unsigned size);
  u32 port_in(u16 port, unsigned size) { return io.in(port, size); }
  void port_out(u16 port, unsigned size, u32 v) { io.out(port, size, v); }

  u64 tsc() const { return machine.clock().now_ns() + s.tsc_offset; }
};

}  // namespace pcjit::cpu
