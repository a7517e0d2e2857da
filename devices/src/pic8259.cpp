// 8259A PIC pair. Priority is kept as "which line is lowest" (rotation state), so every
// priority question is a rank comparison; the fully nested, rotating, special-mask and special
// fully nested rules are all expressed through pending_line(). Datasheet references are to the
// Intel 8259A data sheet (order 231468): ICW1-4 (fig. 6-7), OCW1-3 (fig. 8), "Interrupt
// Sequence", "Special Mask Mode", "Poll Command", "Edge and Level Triggered Modes".
#include "devices/pic8259.h"

namespace pcjit::devices {

void Pic8259::reset() {
  u8 lines = s_.lines;
  s_ = State{};
  s_.lines = lines;
}

int Pic8259::highest_in(u8 mask) const {
  for (unsigned r = 0; r < 8; ++r) {
    unsigned line = (s_.lowest_priority + 1 + r) & 7;
    if ((mask >> line) & 1) return static_cast<int>(line);
  }
  return -1;
}

int Pic8259::pending_line() const {
  u8 req = static_cast<u8>(s_.irr & ~s_.imr);
  if (s_.special_mask) {
    // Special mask mode: every unmasked level that is not itself in service may interrupt,
    // whatever is in service (datasheet, "Special Mask Mode").
    return highest_in(static_cast<u8>(req & ~s_.isr));
  }
  int cand = highest_in(req);
  if (cand < 0) return -1;
  int cur = highest_in(s_.isr);
  if (cur < 0 || rank(static_cast<unsigned>(cand)) < rank(static_cast<unsigned>(cur))) return cand;
  // Special fully nested mode (master only): a request on the cascade line in service is
  // accepted, so a higher-priority slave interrupt can nest.
  if (s_.special_fully_nested && master_ && cand == 2 && cur == 2) return cand;
  return -1;
}

void Pic8259::acknowledge_line(unsigned line) {
  u8 bit = static_cast<u8>(1u << line);
  if (s_.auto_eoi) {
    if (s_.rotate_on_aeoi) s_.lowest_priority = static_cast<u8>(line);
  } else {
    s_.isr |= bit;
  }
  if (!level_mode(line)) s_.irr = static_cast<u8>(s_.irr & ~bit);
}

void Pic8259::set_line(unsigned line, bool level) {
  u8 bit = static_cast<u8>(1u << line);
  if (level_mode(line)) {
    s_.irr = level ? (s_.irr | bit) : static_cast<u8>(s_.irr & ~bit);
  } else if (level && !(s_.lines & bit)) {
    // Edge mode latches the rising edge; the request stays until INTA or a re-init.
    s_.irr |= bit;
  }
  s_.lines = level ? (s_.lines | bit) : static_cast<u8>(s_.lines & ~bit);
}

void Pic8259::write(unsigned a0, u8 v) {
  if (a0 == 0) {
    if (v & 0x10) {  // ICW1: restart initialisation
      u8 lines = s_.lines, elcr = s_.elcr;
      s_ = State{};
      s_.lines = lines;
      s_.elcr = elcr;
      s_.ltim = (v & 0x08) != 0;
      s_.single = (v & 0x02) != 0;
      s_.icw4_needed = (v & 0x01) != 0;
      s_.init_step = 1;
      // The edge sense latch is reset: an edge input needs a new rising edge; level inputs
      // are requests as long as they are high.
      for (unsigned l = 0; l < 8; ++l)
        if (level_mode(l) && ((lines >> l) & 1)) s_.irr |= static_cast<u8>(1u << l);
      return;
    }
    if (v & 0x08) {  // OCW3
      if (v & 0x04) s_.poll = true;
      if (v & 0x02) s_.read_isr = (v & 0x01) != 0;
      if (v & 0x40) s_.special_mask = (v & 0x20) != 0;
      return;
    }
    // OCW2: R, SL, EOI in bits 7-5, level in bits 2-0.
    unsigned level = v & 7;
    switch (v >> 5) {
      case 0: s_.rotate_on_aeoi = false; break;
      case 4: s_.rotate_on_aeoi = true; break;
      case 1:
      case 5: {  // non-specific EOI (with rotation): the highest-priority level in service
        int line = highest_in(s_.isr);
        if (line < 0) break;
        eoi_line(static_cast<unsigned>(line));
        if ((v >> 5) == 5) s_.lowest_priority = static_cast<u8>(line);
        break;
      }
      case 3: eoi_line(level); break;
      case 7:
        eoi_line(level);
        s_.lowest_priority = static_cast<u8>(level);
        break;
      case 6: s_.lowest_priority = static_cast<u8>(level); break;
      default: break;  // 2: no operation
    }
    return;
  }
  switch (s_.init_step) {
    case 0: s_.imr = v; break;
    case 1:
      s_.vector_base = v & 0xF8;
      s_.init_step = s_.single ? (s_.icw4_needed ? 3 : 0) : 2;
      break;
    case 2:
      s_.icw3 = v;
      s_.init_step = s_.icw4_needed ? 3 : 0;
      break;
    default:  // ICW4: bit 1 AEOI, bit 4 SFNM (bit 0 8086 mode is the only one a PC uses)
      s_.auto_eoi = (v & 0x02) != 0;
      s_.special_fully_nested = (v & 0x10) != 0;
      s_.init_step = 0;
      break;
  }
}

u8 Pic8259::read(unsigned a0) {
  if (s_.poll) {
    // Poll command: the read acts as INTA and returns 1000_0lll, or 0 when nothing is pending.
    s_.poll = false;
    int line = pending_line();
    if (line < 0) return 0;
    acknowledge_line(static_cast<unsigned>(line));
    return static_cast<u8>(0x80 | line);
  }
  if (a0 == 1) return s_.imr;
  return s_.read_isr ? s_.isr : s_.irr;
}

PicPair::PicPair(core::Machine& m) : m_(m) {
  m.io().map(0x20, 2, this);
  m.io().map(0xA0, 2, this);
  m.io().map(0x4D0, 2, this);
}

void PicPair::reset() {
  master_.reset();
  slave_.reset();
  update();
}

void PicPair::set_irq(unsigned irq, bool level) {
  if (irq < 8) {
    if (irq != 2) master_.set_line(irq, level);
  } else if (irq < 16) {
    slave_.set_line(irq - 8, level);
  }
  update();
}

void PicPair::update() {
  // The slave's INT output drives the master's IR2; treated as a level so it cannot be lost.
  bool cascade = slave_.pending_line() >= 0;
  auto& ms = master_.state();
  u8 bit = 0x04;
  ms.irr = cascade ? (ms.irr | bit) : static_cast<u8>(ms.irr & ~bit);
  ms.lines = cascade ? (ms.lines | bit) : static_cast<u8>(ms.lines & ~bit);
  bool intr = master_.pending_line() >= 0;
  if (intr && !intr_) {
    if (core::Processor* p = m_.processor()) p->interrupt_changed();
  }
  intr_ = intr;
}

bool PicPair::intr_pending() const { return master_.pending_line() >= 0; }

u8 PicPair::acknowledge() {
  int line = master_.pending_line();
  u8 vector;
  if (line < 0) {
    vector = master_.state().vector_base | 7;  // spurious IRQ7: ISR untouched
  } else if (line == 2 && !master_.state().single) {
    int sl = slave_.pending_line();
    if (sl < 0) {
      vector = slave_.state().vector_base | 7;  // spurious IRQ15
    } else {
      slave_.acknowledge_line(static_cast<unsigned>(sl));
      vector = static_cast<u8>(slave_.state().vector_base + sl);
    }
    master_.acknowledge_line(2);
  } else {
    master_.acknowledge_line(static_cast<unsigned>(line));
    vector = static_cast<u8>(master_.state().vector_base + line);
  }
  update();
  return vector;
}

u32 PicPair::port_in(u16 port, unsigned size) {
  u32 v = 0;
  for (unsigned k = 0; k < size; ++k) {
    u16 p = static_cast<u16>(port + k);
    u8 b = 0xFF;
    if (p == 0x20 || p == 0x21) {
      b = master_.read(p & 1);
    } else if (p == 0xA0 || p == 0xA1) {
      b = slave_.read(p & 1);
    } else if (p == 0x4D0) {
      b = master_.state().elcr;
    } else if (p == 0x4D1) {
      b = slave_.state().elcr;
    }
    v |= u32{b} << (8 * k);
  }
  update();
  return v;
}

void PicPair::port_out(u16 port, unsigned size, u32 value) {
  for (unsigned k = 0; k < size; ++k) {
    u16 p = static_cast<u16>(port + k);
    u8 b = static_cast<u8>(value >> (8 * k));
    if (p == 0x20 || p == 0x21) {
      master_.write(p & 1, b);
    } else if (p == 0xA0 || p == 0xA1) {
      slave_.write(p & 1, b);
    } else if (p == 0x4D0) {
      master_.state().elcr = b & master_.elcr_mask();
    } else if (p == 0x4D1) {
      slave_.state().elcr = b & slave_.elcr_mask();
    }
  }
  update();
}

}  // namespace pcjit::devices
