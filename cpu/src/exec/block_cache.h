// Decoded blocks and their cache.
//
// A block is a straight run of instructions from one entry to the first instruction that ends a
// block (control transfer, mode change), the end of its page, or kMaxInsns. Key: physical entry
// address + mode bits. Lookup: a per-linear-EIP jump cache in front of a hash table; the jump
// cache is flushed with the TLB, since it embeds a linear->physical translation.
//
// Self-modifying code: every RAM page holding a block is marked in PhysicalMemory (128-byte
// chunks). A write to a marked chunk (CPU slow path or DMA) calls invalidate(), which retires
// the overlapping blocks. A block retired while it runs is kept alive until the dispatcher is back
// (graveyard), and the running loop stops after the current instruction (Context::block_dirty).
#pragma once
#include <algorithm>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "../decode/decoder.h"
#include "../insn.h"
#include "core/phys_memory.h"

namespace pcjit::cpu {

class Context;
class Translator;

// How a block ends, known when it is built (the JIT chains on it; stats count it).
enum class BlockExit : u8 {
  Fallthrough,  // page end or length cap: the next instruction starts the next block
  Direct,       // JMP rel
  Conditional,  // Jcc, LOOPcc, JCXZ: two direct edges
  Call,         // CALL rel: a direct edge after a push
  Return,       // RET / RET imm: target from the stack
  Indirect,     // JMP/CALL r/m
  System,       // anything else that ends a block (far transfers, mode/IF/SS changes, I/O, HLT)
};

struct Block {
  u64 phys = 0;        // physical address of the first byte
  u64 phys_end = 0;    // physical address one past the last byte on the first page
  u64 phys2 = 0;       // page of the tail when the last instruction crosses a page (else ~0)
  u32 mode = 0;
  bool valid = true;
  BlockExit exit = BlockExit::Fallthrough;
  // The entry it was built for. The block (keyed by physical address) serves every linear alias;
  // a translation embeds EIPs, linear addresses and the outcome of CS-limit checks on its jump
  // targets, so it runs only when EIP, CS.base and CS.limit match these (the dispatcher and the
  // jump-cache continuation check; links are same-page by construction, see DESIGN.md).
  u32 entry_eip = 0;
  u32 cs_base = 0;
  u32 cs_limit = 0;
  bool entered_as(const CpuState& s) const {
    return entry_eip == s.eip() && cs_base == s.seg[CS].base && cs_limit == s.seg[CS].limit;
  }
  u32 execs = 0;                  // times the dispatcher ran it (translation threshold)
  // The segment properties its translation assumes (seg_prop in hot_frame.h), and how often it
  // was found running without them: after kSegRetries retranslations it assumes none.
  u32 seg_assumed = 0;
  u8 seg_misses = 0;
  static constexpr u8 kSegRetries = 2;
  void* jit = nullptr;            // the translator's record (null: not translated)
  const void* host_entry = nullptr;        // flags in CpuState (the dispatcher's entry)
  const void* host_entry_saved = nullptr;  // flags parked in AX (the jump-cache continuation)
  std::vector<Insn> insns;
  std::vector<InsnFlags> flags;   // per instruction, parallel to insns
};

BlockExit classify_exit(const Insn& last, bool ends_block);

class BlockCache final : public core::CodeWriteObserver, public core::MapObserver {
 public:
  static constexpr unsigned kMaxInsns = 64;
  explicit BlockCache(Context& c);
  ~BlockCache() override;

  static u32 mode_of(const Context& c);
  // Returns the block for the current CS:EIP, building it if needed; nullptr with an exception
  // pending if the first instruction cannot be fetched or decoded.
  Block* lookup(u32 lin);
  // The jump-cache entry for lin in the current mode, without building or walking (null on a
  // miss). Translated code uses it to continue across indirect and cross-page transfers.
  Block* probe(u32 lin) const;
  void flush_jump_cache();
  void flush_all();
  void collect_garbage();
  std::size_t size() const { return by_key_.size(); }

  // Debug checker (STYLE rule 6): empty if the cache is consistent, else the first violation.
  std::string check_invariants() const;

  void on_code_write(u64 paddr, unsigned len) override;
  void on_map_changed() override;

 private:
  Block* build(u32 lin, u32 mode);
  void retire(Block* b);
  void destroy(std::unique_ptr<Block>& b);
  static u64 key(u64 phys, u32 mode) { return (phys << 16) ^ mode; }

  Context& c_;
  std::unordered_map<u64, std::unique_ptr<Block>> by_key_;
  // Per physical page holding code: the blocks touching it, and the bytes they cover, so a write
  // next to code (same 128-byte chunk, no block under it) is dismissed without walking the list.
  // Bits of retired blocks may linger until the next retirement on the page (conservative).
  struct CodePage {
    std::vector<Block*> blocks;
    u64 bytes[64] = {};  // bit i of word w: byte 64*w + i is covered
    // Covers [start, end) clipped to start's page, a word at a time.
    void cover(u64 start, u64 end) {
      u64 lo = start & 0xFFF;
      const u64 hi = (end - (start & ~u64{0xFFF})) < 0x1000 ? (end & 0xFFF) : 0x1000;
      while (lo < hi) {
        const u64 w = lo >> 6, bit = lo & 63, n = std::min<u64>(64 - bit, hi - lo);
        bytes[w] |= (n == 64 ? ~u64{0} : ((u64{1} << n) - 1)) << bit;
        lo += n;
      }
    }
    bool covers_any(u64 off, u64 end) const {
      for (u64 a = off; a < end; ++a)
        if (bytes[a >> 6] >> (a & 63) & 1) return true;
      return false;
    }
    void clear() { std::fill(std::begin(bytes), std::end(bytes), u64{0}); }
  };
  std::unordered_map<u64, CodePage> by_page_;
  // An entry is live only while its generation is the cache's: flushing is one increment, and
  // every retirement flushes, so a live entry never points at a retired (soon freed) block.
  struct JumpEntry {
    u32 lin = 0;
    u32 mode = 0;
    u64 gen = 0;
    Block* block = nullptr;
  };
  std::vector<JumpEntry> jump_cache_;  // by linear EIP
  u64 gen_ = 1;
  std::vector<std::unique_ptr<Block>> graveyard_;
};

}  // namespace pcjit::cpu
