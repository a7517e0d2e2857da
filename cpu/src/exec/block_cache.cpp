// Block building, lookup and invalidation. See block_cache.h.
#include "block_cache.h"

#include <algorithm>
#include <fmt/format.h>

#include "../context.h"
#include "../decode/decoder.h"
#include "../decode/opcode_table.h"
#include "cpu/translator.h"

namespace pcjit::cpu {

namespace {
constexpr unsigned kJumpCacheBits = 12;
}

BlockCache::BlockCache(Context& c) : c_(c), jump_cache_(1u << kJumpCacheBits) {
  c_.mem.set_code_observer(this);
  c_.mem.add_map_observer(this);
}

BlockCache::~BlockCache() {
  c_.mem.set_code_observer(nullptr);
  collect_garbage();
  for (auto& [k, b] : by_key_) destroy(b);
}

BlockExit classify_exit(const Insn& last, bool ends_block) {
  if (!ends_block) return BlockExit::Fallthrough;
  if (last.map == 1) return (last.opcode & 0xF0) == 0x80 ? BlockExit::Conditional : BlockExit::System;
  const u8 op = last.opcode;
  if ((op & 0xF0) == 0x70 || (op >= 0xE0 && op <= 0xE3)) return BlockExit::Conditional;
  if (op == 0xE9 || op == 0xEB) return BlockExit::Direct;
  if (op == 0xE8) return BlockExit::Call;
  if (op == 0xC2 || op == 0xC3) return BlockExit::Return;
  if (op == 0xFF && (last.reg == 2 || last.reg == 4)) return BlockExit::Indirect;
  return BlockExit::System;
}

Block* BlockCache::probe(u32 lin) const {
  const JumpEntry& jc = jump_cache_[(lin ^ (lin >> kJumpCacheBits)) & ((1u << kJumpCacheBits) - 1)];
  if (jc.gen == gen_ && jc.lin == lin && jc.mode == mode_of(c_)) return jc.block;
  return nullptr;
}

void BlockCache::destroy(std::unique_ptr<Block>& b) {
  if (b && b->jit && c_.jit) c_.jit->release(*b);
  b.reset();
}

void BlockCache::collect_garbage() {
  for (auto& b : graveyard_) destroy(b);
  graveyard_.clear();
}

u32 BlockCache::mode_of(const Context& c) {
  const CpuState& s = c.s;
  return (s.seg[CS].attrs & attr::DB ? 1u : 0u) | (s.seg[SS].attrs & attr::DB ? 2u : 0u) |
         (s.protected_mode() ? 4u : 0u) | (s.v86() ? 8u : 0u) | (u32{s.cpl} << 4) |
         // Alignment checking changes what a memory access may do without a slow path, so
         // translated code is built for one setting (CR0.AM/EFLAGS.AC/CPL change only in
         // instructions that end a block).
         (c.alignment_check ? 0x40u : 0u);
}

Block* BlockCache::lookup(u32 lin) {
  const u32 mode = mode_of(c_);
#ifdef PCJIT_STATS
  ++c_.stats.block_lookups;
#endif
  JumpEntry& jc = jump_cache_[(lin ^ (lin >> kJumpCacheBits)) & ((1u << kJumpCacheBits) - 1)];
  if (jc.gen == gen_ && jc.lin == lin && jc.mode == mode) {
#ifdef PCJIT_STATS
    ++c_.stats.jump_cache_hits;
#endif
    return jc.block;
  }
  u64 phys;
  if (c_.translate(lin, Access::Exec, c_.user_access(), phys, true) != Exec::Ok) return nullptr;
  auto it = by_key_.find(key(phys, mode));
  // Handlers never embed the block's linear address (they use EIP), so one block serves every
  // linear alias of the same physical code.
  Block* b = it != by_key_.end() ? it->second.get() : build(lin, mode);
  if (!b) return nullptr;
  jc = JumpEntry{lin, mode, gen_, b};
  return b;
}

Block* BlockCache::build(u32 lin, u32 mode) {
  auto blk = std::make_unique<Block>();
  blk->mode = mode;
  blk->phys2 = ~u64{0};
  u32 eip = c_.s.eip();
  blk->entry_eip = eip;
  blk->cs_base = c_.s.seg[CS].base;
  blk->cs_limit = c_.s.seg[CS].limit;
  const u32 page_end = (lin | 0xFFF) + 1;
  FetchedInsn f;
  for (unsigned n = 0; n < kMaxInsns; ++n) {
    u32 at_lin = c_.s.seg[CS].base + eip;
    if (n > 0 && at_lin >= page_end) break;
    if (decode_at(c_, eip, f) != Exec::Ok) {
      if (n == 0) return nullptr;  // the fault is pending: the first instruction raises it
      c_.exc.pending = false;      // a later instruction will raise it when it is reached
      break;
    }
    if (n == 0) blk->phys = f.phys;
    blk->insns.push_back(f.insn);
    blk->flags.push_back(f.flags);
    c_.stats.insns_decoded++;
    u64 last_page = f.phys_last >> 12;
    if (last_page != (blk->phys >> 12)) {
      blk->phys2 = last_page << 12;
      blk->phys_end = (blk->phys | 0xFFF) + 1;
      eip += f.insn.len;
      break;
    }
    blk->phys_end = f.phys_last + 1;
    eip += f.insn.len;
    if (row_at(f.insn.row).flags & row_flag::kEndsBlock) break;
    if (c_.single_step_mode) break;
  }
  blk->exit = classify_exit(blk->insns.back(), row_at(blk->insns.back().row).flags & row_flag::kEndsBlock);
  // Register on the pages the block covers and mark them as code.
  auto track = [&](u64 start, u64 end) {
    u64 page = start & ~u64{0xFFF};
    CodePage& cp = by_page_[page];
    cp.blocks.push_back(blk.get());
    cp.cover(start, end);
    if (c_.mem.mark_code(start, static_cast<unsigned>(end - start)))
      c_.tlb.drop_writes_to(static_cast<u32>(page >> 12));
  };
  track(blk->phys, blk->phys_end);
  if (blk->phys2 != ~u64{0}) {
    // Tail bytes on the second page: conservatively mark its first 16 bytes.
    track(blk->phys2, blk->phys2 + 16);
  }
  c_.stats.blocks_built++;
  Block* raw = blk.get();
  by_key_[key(blk->phys, mode)] = std::move(blk);
  return raw;
}

void BlockCache::retire(Block* b) {
  b->valid = false;
  if (b->jit && c_.jit) c_.jit->unlink(*b);
  c_.block_dirty = true;
  flush_jump_cache();  // no live jump-cache entry may point at a block that will be freed
  auto unlink = [&](u64 page) {
    auto it = by_page_.find(page);
    if (it == by_page_.end()) return;
    auto& v = it->second.blocks;
    v.erase(std::remove(v.begin(), v.end(), b), v.end());
    if (v.empty()) {
      by_page_.erase(it);
      c_.mem.clear_code_page(page);
    }
  };
  unlink(b->phys & ~u64{0xFFF});
  if (b->phys2 != ~u64{0}) unlink(b->phys2);
  auto it = by_key_.find(key(b->phys, b->mode));
  if (it != by_key_.end() && it->second.get() == b) {
    graveyard_.push_back(std::move(it->second));
    by_key_.erase(it);
  }
}

void BlockCache::on_code_write(u64 paddr, unsigned len) {
  auto it = by_page_.find(paddr & ~u64{0xFFF});
  if (it == by_page_.end()) return;
  {
    const u64 off = paddr & 0xFFF;
    const u64 end = off + len < 0x1000 ? off + len : 0x1000;
    if (!it->second.covers_any(off, end)) return;  // next to code, not on it
  }
  std::vector<Block*> hit;
  for (Block* b : it->second.blocks) {
    bool overlaps;
    if ((b->phys & ~u64{0xFFF}) == (paddr & ~u64{0xFFF}))
      overlaps = paddr < b->phys_end && paddr + len > b->phys;
    else
      overlaps = paddr < b->phys2 + 16;  // tail page of a crossing instruction
    if (overlaps) hit.push_back(b);
  }
  for (Block* b : hit) retire(b);
  if (hit.empty()) return;
  c_.stats.smc_invalidations += hit.size();
  // Re-mark the page from the blocks left on it: the retired blocks' chunks stop sending writes
  // here. (Without this a copy over a code page called back for every byte, walking every block
  // on the page: 10% of a firmware boot.)
  const u64 page = paddr & ~u64{0xFFF};
  auto left = by_page_.find(page);
  if (left == by_page_.end()) return;  // retire() cleared the page with its last block
  c_.mem.clear_code_page(page);
  left->second.clear();
  for (const Block* b : left->second.blocks) {
    if ((b->phys & ~u64{0xFFF}) == page) {
      c_.mem.mark_code(b->phys, static_cast<unsigned>(b->phys_end - b->phys));
      left->second.cover(b->phys, b->phys_end);
    } else {
      c_.mem.mark_code(b->phys2, 16);  // the tail of a block that starts on the page before
      left->second.cover(b->phys2, b->phys2 + 16);
    }
  }
}

void BlockCache::on_map_changed() {
  flush_all();
  c_.flush_tlb();
}

void BlockCache::flush_jump_cache() {
  ++gen_;
  ++c_.itc_gen;  // the JIT's indirect-target cache is a copy of what the jump cache says
}

void BlockCache::flush_all() {
  for (auto& [k, b] : by_key_) {
    b->valid = false;
    if (b->jit && c_.jit) c_.jit->unlink(*b);
    graveyard_.push_back(std::move(b));
  }
  by_key_.clear();
  for (auto& [page, v] : by_page_) c_.mem.clear_code_page(page);
  by_page_.clear();
  flush_jump_cache();
  c_.block_dirty = true;
}

}  // namespace pcjit::cpu

namespace pcjit::cpu {

std::string BlockCache::check_invariants() const {
  auto listed = [&](u64 page, const Block* b) {
    auto it = by_page_.find(page);
    return it != by_page_.end() && std::find(it->second.blocks.begin(), it->second.blocks.end(), b) != it->second.blocks.end();
  };
  for (const auto& [k, b] : by_key_) {
    if (!b->valid) return fmt::format("block {:#x} is in the hash table but retired", b->phys);
    if (k != key(b->phys, b->mode)) return fmt::format("block {:#x} is filed under the wrong key", b->phys);
    if (!listed(b->phys & ~u64{0xFFF}, b.get()))
      return fmt::format("block {:#x} is missing from its page list", b->phys);
    if (b->phys2 != ~u64{0} && !listed(b->phys2, b.get()))
      return fmt::format("block {:#x} is missing from its tail page's list", b->phys);
    if (b->phys < c_.mem.ram_size() && !c_.mem.page_has_code(b->phys))
      return fmt::format("block {:#x} sits on a RAM page not marked as code", b->phys);
  }
  for (const auto& [page, cp] : by_page_)
    for (const Block* b : cp.blocks) {
      auto it = by_key_.find(key(b->phys, b->mode));
      if (it == by_key_.end() || it->second.get() != b)
        return fmt::format("page {:#x} lists a block that is not in the hash table", page);
    }
  for (const JumpEntry& e : jump_cache_) {
    if (e.gen != gen_) continue;
    auto it = by_key_.find(key(e.block->phys, e.block->mode));
    if (it == by_key_.end() || it->second.get() != e.block || e.block->mode != e.mode)
      return fmt::format("a live jump-cache entry for {:#x} points at a retired block", e.lin);
  }
  return {};
}

}  // namespace pcjit::cpu
