// National Semiconductor NS16550A UART (COM1 0x3F8/IRQ 4, COM2 0x2F8/IRQ 3).
//
// Registers, FIFOs and interrupt rules follow the NS16550A datasheet (tables "Register summary"
// and "Interrupt control functions"): IIR reports the highest-priority pending cause (line status
// > received data / character timeout > THR empty > modem status); each cause is cleared by its
// own action (LSR read, RBR read, IIR read or THR write, MSR read). On a PC the interrupt pin only
// reaches the PIC through a buffer enabled by OUT2 (MCR bit 3), and in loopback the OUT pins are
// forced inactive, so loopback IRQs stay inside the chip.
//
// Time: a character takes (start + data + parity + stop bits) * divisor * 16 / 1.8432 MHz of
// virtual time. The transmitter shifts one character per character time out of its FIFO to the
// host sink (or back to the receiver in loopback); bytes the host sends with receive() are
// delivered into the receiver FIFO one per character time, so a guest sees a real serial line's
// pace and the character-timeout interrupt works. set_instant_tx(true) sends at once instead
// (as QEMU does), for guests that print a lot through a polled slow line.
#pragma once
#include <array>
#include <deque>
#include <functional>
#include <memory>

#include "core/interrupts.h"
#include "core/machine.h"

namespace pcjit::devices {

class Uart16550 final : public core::Device {
 public:
  using Sink = std::function<void(u8)>;
  static constexpr u16 kCom1 = 0x3F8;
  static constexpr u16 kCom2 = 0x2F8;
  static constexpr u64 kClockHz = 1843200;

  struct Fifo {
    std::array<u8, 16> bytes{};
    unsigned head = 0, size = 0;
    bool full() const { return size == 16; }
    bool empty() const { return size == 0; }
    void push(u8 b) { bytes[(head + size++) & 15] = b; }
    u8 pop() {
      u8 b = bytes[head];
      head = (head + 1) & 15;
      --size;
      return b;
    }
    void clear() { head = size = 0; }
  };
  struct State {
    u8 ier = 0, lcr = 0, mcr = 0, lsr_errors = 0, msr = 0xB0, scr = 0, fcr = 0;
    u16 divisor = 12;  // 9600 baud
    Fifo rx, tx;
    bool tsr_busy = false;       // a character is being shifted out
    bool thre_pending = false;   // THR-empty interrupt latched (cleared by IIR read / THR write)
    bool timeout_pending = false;
    u8 msr_inputs = 0xB0;        // host side DCD/RI/DSR/CTS (MSR bits 7:4): a terminal is attached
  };

  // Claims 8 ports at base and drives `irq` on `sink_irq`.
  Uart16550(core::Machine& m, u16 base, unsigned irq, core::IrqSink& irq_sink, Sink tx = {});
  ~Uart16550() override;

  void set_sink(Sink tx) { sink_ = std::move(tx); }
  void set_instant_tx(bool on) { instant_tx_ = on; }
  // Host -> guest: queued and delivered one character time apart.
  void receive(u8 byte);
  // Host side modem inputs (bit layout of MSR bits 7:4: DCD, RI, DSR, CTS).
  void set_modem_inputs(u8 msr_high);

  u8 read(unsigned reg);
  void write(unsigned reg, u8 value);
  // Virtual nanoseconds one character takes at the current divisor and line format.
  u64 char_time_ns() const;
  bool irq_level() const { return irq_level_; }
  const State& state() const { return s_; }

  void reset() override;
  const char* name() const override { return "uart16550"; }

 private:
  class Ports;
  bool fifo_mode() const { return s_.fcr & 1; }
  unsigned rx_trigger() const;
  u8 iir() const;
  u8 lsr() const;
  void update_irq();
  // `at`: the virtual time the event happens (an event may run after its deadline when time
  // jumps; chained characters keep the line's pace from the deadline, not from "now").
  void rx_byte(u8 b, u64 at);
  void start_tx(u64 at);
  void finish_tx(u64 at);
  void schedule_host_rx(u64 from);
  void restart_timeout(u64 at);
  void set_msr_inputs(u8 inputs);
  u8 loopback_inputs() const;
  void cancel(core::EventId& id);

  core::Machine& m_;
  u16 base_;
  unsigned irq_;
  core::IrqSink& irq_sink_;
  Sink sink_;
  std::unique_ptr<Ports> ports_;
  State s_{};
  std::deque<u8> host_rx_;
  u8 tsr_ = 0;
  bool instant_tx_ = false;
  bool irq_level_ = false;
  core::EventId tx_event_ = 0, rx_event_ = 0, timeout_event_ = 0;
};

}  // namespace pcjit::devices
