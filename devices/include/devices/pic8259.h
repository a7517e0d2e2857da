// Intel 8259A programmable interrupt controller, as the PC/AT cascades two of them: master at
// 0x20/0x21 (IRQ0-7), slave at 0xA0/0xA1 on the master's IR2 (IRQ8-15), plus the PIIX edge/level
// control registers (ELCR) at 0x4D0/0x4D1.
//
// Pic8259 is one chip with plain methods (datasheet: Intel 8259A, "Programming the 8259A"); PicPair
// wires two of them together, implements the CPU's INTA cycle (core::InterruptController), takes
// IRQ lines from devices (core::IrqSink) and claims the ports. The slave's INT output is fed to the
// master's IR2 as a level, so a second slave request raised while IR2 is in service is never lost.
#pragma once
#include "core/interrupts.h"
#include "core/io_bus.h"
#include "core/machine.h"

namespace pcjit::devices {

class Pic8259 {
 public:
  struct State {
    u8 irr = 0;           // interrupt request register (latched requests)
    u8 isr = 0;           // in-service register
    u8 imr = 0;           // interrupt mask register (OCW1)
    u8 lines = 0;         // current level of the IR inputs (edge detection)
    u8 elcr = 0;          // 1 = level triggered (PIIX ELCR), per line
    u8 vector_base = 0;   // ICW2 & 0xF8
    u8 lowest_priority = 7;  // line with the lowest priority (rotation state)
    u8 icw3 = 0;
    u8 init_step = 0;     // 0 = operational, 1..3 = expecting ICW2..ICW4
    bool icw4_needed = false;
    bool single = false;
    bool ltim = false;    // ICW1 LTIM: every line level triggered
    bool auto_eoi = false;
    bool rotate_on_aeoi = false;
    bool special_fully_nested = false;
    bool special_mask = false;
    bool read_isr = false;  // OCW3 RR/RIS: what a read of the command port returns
    bool poll = false;      // OCW3 P: the next read is a poll
  };

  explicit Pic8259(bool master) : master_(master) {}
  // A0 = 0: ICW1/OCW2/OCW3 (port 0x20/0xA0); A0 = 1: ICW2-4/OCW1 (0x21/0xA1).
  void write(unsigned a0, u8 value);
  u8 read(unsigned a0);
  void set_line(unsigned line, bool level);
  // Line that would be delivered now (-1 = none), honouring priority, ISR and masks.
  int pending_line() const;
  // INTA for `line`: sets ISR (unless AEOI), clears an edge request.
  void acknowledge_line(unsigned line);
  void reset();  // power-on / ICW1 state
  State& state() { return s_; }
  const State& state() const { return s_; }
  u8 elcr_mask() const { return master_ ? 0xF8 : 0xDE; }  // IRQ0-2, 8 and 13 are always edge

 private:
  bool level_mode(unsigned line) const { return s_.ltim || ((s_.elcr >> line) & 1); }
  // Priority rank of `line`: 0 = highest.
  unsigned rank(unsigned line) const { return (line + 7 - s_.lowest_priority) & 7; }
  int highest_in(u8 mask) const;  // highest-priority line set in mask, -1 if none
  void eoi_line(unsigned line) { s_.isr = static_cast<u8>(s_.isr & ~(1u << line)); }

  bool master_;
  State s_;
};

class PicPair final : public core::IrqSink,
                      public core::InterruptController,
                      public core::PortHandler,
                      public core::Device {
 public:
  // Claims 0x20-0x21, 0xA0-0xA1 and 0x4D0-0x4D1.
  explicit PicPair(core::Machine& m);
  // IRQ 0-15; edge lines latch on a rising edge, level lines follow the input.
  void set_irq(unsigned irq, bool level) override;
  bool intr_pending() const override;
  u8 acknowledge() override;
  u32 port_in(u16 port, unsigned size) override;
  void port_out(u16 port, unsigned size, u32 value) override;
  void reset() override;
  const char* name() const override { return "pic8259"; }

  Pic8259& master() { return master_; }
  Pic8259& slave() { return slave_; }

 private:
  void update();  // recompute the cascade line and tell the CPU when INTR rises

  core::Machine& m_;
  Pic8259 master_{true};
  Pic8259 slave_{false};
  bool intr_ = false;
};

}  // namespace pcjit::devices
