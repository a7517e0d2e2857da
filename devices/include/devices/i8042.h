// Intel 8042 keyboard controller (ports 0x60 data, 0x64 status/command) with a PS/2 keyboard on
// its first port (IRQ1) and a PS/2 mouse on the auxiliary port (IRQ12).
//
// Three parts with plain methods: Ps2Keyboard and Ps2Mouse are the devices on the cable (they
// answer command bytes and queue what they send), I8042 is the controller (command byte,
// output buffer, output port with the A20 and reset lines, set 2 -> set 1 translation when the
// command byte's XLAT bit is set). The controller pulls the next byte into its single output
// buffer when the guest has read the previous one, so the two devices never overwrite each
// other. References: IBM PS/2 Hardware Interface Technical Reference ("Keyboard/Auxiliary
// Device Controller", "Keyboard", "Pointing Device"), Intel 8042 data sheet.
#pragma once
#include <array>
#include <span>

#include "core/interrupts.h"
#include "core/io_bus.h"
#include "core/machine.h"

namespace pcjit::devices {

// A fixed-size FIFO kept as plain data (snapshots copy it as is).
template <class T, std::size_t N>
struct Fifo {
  std::array<T, N> items{};
  std::size_t head = 0, count = 0;
  bool empty() const { return count == 0; }
  bool full() const { return count == N; }
  std::size_t free() const { return N - count; }
  void clear() { head = count = 0; }
  bool push(T v) {
    if (full()) return false;
    items[(head + count++) % N] = v;
    return true;
  }
  T pop() {
    T v = items[head];
    head = (head + 1) % N;
    --count;
    return v;
  }
};

class Ps2Keyboard {
 public:
  struct State {
    Fifo<u8, 16> out;
    u8 pending = 0;       // command waiting for its parameter byte (ED, F0, F3)
    bool scanning = true;
    u8 scancode_set = 2;
    u8 leds = 0;
    u8 typematic = 0x2B;  // 10.9 characters/s, 500 ms delay (the power-on default)
    u8 last_sent = 0;
  };
  void reset();
  void command(u8 b);                        // a byte from the host
  void key_event(std::span<const u8> set2);  // make/break bytes in scan code set 2
  bool has_data() const { return !s_.out.empty(); }
  u8 pop() { return s_.out.pop(); }
  State& state() { return s_; }
  const State& state() const { return s_; }

 private:
  void send(u8 b);
  void defaults();
  State s_;
};

class Ps2Mouse {
 public:
  struct State {
    Fifo<u8, 64> out;
    u8 pending = 0;  // F3 (sample rate) or E8 (resolution) waiting for its parameter
    bool reporting = false;
    bool remote = false;
    bool wrap = false;
    bool scaling_2to1 = false;
    u8 sample_rate = 100;
    u8 resolution = 2;  // 4 counts/mm
    u8 id = 0;          // 0 = standard PS/2 mouse, 3 = wheel mouse (after 200,100,80)
    std::array<u8, 3> rate_history{};
    u8 buttons = 0;     // bit 0 left, bit 1 right, bit 2 middle
    int dx = 0, dy = 0;  // motion not yet reported
    u8 last_sent = 0;
  };
  void reset();
  void command(u8 b);
  // Relative motion (dy > 0 = away from the user, as PS/2 counts it) and the button state.
  void mouse_event(int dx, int dy, u8 buttons);
  bool has_data() const { return !s_.out.empty(); }
  u8 pop() { return s_.out.pop(); }
  State& state() { return s_; }
  const State& state() const { return s_; }

 private:
  void send(u8 b);
  void defaults();
  void send_packet();
  State s_;
};

class I8042 final : public core::PortHandler, public core::Device {
 public:
  // Command byte bits (controller RAM byte 0).
  static constexpr u8 kCmdKbdInt = 0x01, kCmdAuxInt = 0x02, kCmdSys = 0x04, kCmdKbdOff = 0x10,
                      kCmdAuxOff = 0x20, kCmdXlat = 0x40;
  // Status register bits.
  static constexpr u8 kStOutFull = 0x01, kStSys = 0x04, kStCmd = 0x08, kStUnlocked = 0x10,
                      kStAuxData = 0x20;

  struct State {
    std::array<u8, 32> ram{};  // ram[0] is the command byte
    u8 status = kStUnlocked;
    u8 out_port = 0xCF;        // bit 0 reset (1 = running), bit 1 A20
    u8 pending = 0;            // controller command waiting for a data byte
    u8 obuf = 0;               // output buffer contents
    bool obuf_aux = false;     // the byte came from the auxiliary device
    Fifo<u16, 8> replies;      // controller replies; bit 8 set = deliver as auxiliary data
    bool xlat_break = false;   // translation saw F0: OR 0x80 into the next byte
    bool irq1 = false, irq12 = false;
  };

  // Claims 0x60 and 0x64.
  I8042(core::Machine& m, core::IrqSink& sink, unsigned kbd_irq = 1, unsigned aux_irq = 12);
  u32 port_in(u16 port, unsigned size) override;
  void port_out(u16 port, unsigned size, u32 value) override;
  void reset() override;
  const char* name() const override { return "i8042"; }

  // Host side: input from the user.
  void key_event(std::span<const u8> set2_bytes);
  void mouse_event(int dx, int dy, u8 buttons);

  Ps2Keyboard& keyboard() { return kbd_; }
  Ps2Mouse& mouse() { return mouse_; }
  const State& state() const { return s_; }

  // The 8042's own set 2 -> set 1 translation of one byte (without the F0 handling).
  static u8 translate(u8 set2);

 private:
  void controller_command(u8 cmd);
  void controller_data(u8 v);
  void reply(u8 b, bool aux = false) { s_.replies.push(static_cast<u16>(b | (aux ? 0x100 : 0))); }
  void write_output_port(u8 v);
  void refill();      // move the next byte into an empty output buffer
  void update_irq();

  core::Machine& m_;
  core::IrqSink& sink_;
  unsigned kbd_irq_, aux_irq_;
  State s_;
  Ps2Keyboard kbd_;
  Ps2Mouse mouse_;
};

}  // namespace pcjit::devices
