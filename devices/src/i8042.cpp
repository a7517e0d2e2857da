// The 8042 controller (see i8042.h): command byte, controller commands (IBM PS/2 technical
// reference, "Keyboard/Auxiliary Device Controller", commands 20-FF), the output port (bit 0
// system reset, bit 1 A20 gate), the single output buffer fed from controller replies, then the
// keyboard, then the mouse, and IRQ1/IRQ12 as levels (output buffer full and interrupt enabled).
#include "devices/i8042.h"

namespace pcjit::devices {

namespace {
// Scan code set 2 -> set 1, as the 8042 translates (bytes 0x88-0xFF pass unchanged). The
// standard table of the AT controller, reproduced by every PC keyboard controller.
constexpr std::array<u8, 0x88> kSet2ToSet1 = {
    0xff, 0x43, 0x41, 0x3f, 0x3d, 0x3b, 0x3c, 0x58, 0x64, 0x44, 0x42, 0x40, 0x3e, 0x0f, 0x29, 0x59,
    0x65, 0x38, 0x2a, 0x70, 0x1d, 0x10, 0x02, 0x5a, 0x66, 0x71, 0x2c, 0x1f, 0x1e, 0x11, 0x03, 0x5b,
    0x67, 0x2e, 0x2d, 0x20, 0x12, 0x05, 0x04, 0x5c, 0x68, 0x39, 0x2f, 0x21, 0x14, 0x13, 0x06, 0x5d,
    0x69, 0x31, 0x30, 0x23, 0x22, 0x15, 0x07, 0x5e, 0x6a, 0x72, 0x32, 0x24, 0x16, 0x08, 0x09, 0x5f,
    0x6b, 0x33, 0x25, 0x17, 0x18, 0x0b, 0x0a, 0x60, 0x6c, 0x34, 0x35, 0x26, 0x27, 0x19, 0x0c, 0x61,
    0x6d, 0x73, 0x28, 0x74, 0x1a, 0x0d, 0x62, 0x6e, 0x3a, 0x36, 0x1c, 0x1b, 0x75, 0x2b, 0x63, 0x76,
    0x55, 0x56, 0x77, 0x78, 0x79, 0x7a, 0x0e, 0x7b, 0x7c, 0x4f, 0x7d, 0x4b, 0x47, 0x7e, 0x7f, 0x6f,
    0x52, 0x53, 0x50, 0x4c, 0x4d, 0x48, 0x01, 0x45, 0x57, 0x4e, 0x51, 0x4a, 0x37, 0x49, 0x46, 0x54,
    0x80, 0x81, 0x82, 0x41, 0x54, 0x85, 0x86, 0x87};
}  // namespace

u8 I8042::translate(u8 b) { return b < kSet2ToSet1.size() ? kSet2ToSet1[b] : b; }

I8042::I8042(core::Machine& m, core::IrqSink& sink, unsigned kbd_irq, unsigned aux_irq)
    : m_(m), sink_(sink), kbd_irq_(kbd_irq), aux_irq_(aux_irq) {
  m.io().map(0x60, 1, this);
  m.io().map(0x64, 1, this);
  reset();
}

void I8042::reset() {
  bool irq1 = s_.irq1, irq12 = s_.irq12;
  s_ = State{};
  s_.irq1 = irq1;
  s_.irq12 = irq12;
  s_.ram[0] = kCmdKbdInt | kCmdAuxInt;
  kbd_.reset();
  mouse_.reset();
  m_.memory().set_a20(true);  // output port resets with the A20 bit set
  update_irq();
}

void I8042::write_output_port(u8 v) {
  s_.out_port = v;
  m_.memory().set_a20((v & 0x02) != 0);
  if (!(v & 0x01)) m_.request_reset();  // bit 0 low holds the CPU in reset
}

void I8042::controller_command(u8 cmd) {
  s_.pending = 0;
  if (cmd >= 0x20 && cmd <= 0x3F) {
    reply(s_.ram[cmd & 0x1F]);
  } else if ((cmd >= 0x60 && cmd <= 0x7F) || cmd == 0xD1 || cmd == 0xD2 || cmd == 0xD3 || cmd == 0xD4) {
    s_.pending = cmd;  // the next byte written to 0x60 is this command's data
  } else if (cmd >= 0xF0) {
    // Pulse output port bits 0-3 low where the command's bit is 0: bit 0 is the reset line.
    if (!(cmd & 1)) m_.request_reset();
  } else {
    switch (cmd) {
      case 0xA7: s_.ram[0] |= kCmdAuxOff; break;
      case 0xA8: s_.ram[0] &= static_cast<u8>(~kCmdAuxOff); break;
      case 0xA9: reply(0x00); break;  // auxiliary interface test: no error
      case 0xAA:                      // controller self-test passed
        s_.status |= kStSys;
        reply(0x55);
        break;
      case 0xAB: reply(0x00); break;  // keyboard interface test: no error
      case 0xAD: s_.ram[0] |= kCmdKbdOff; break;
      case 0xAE: s_.ram[0] &= static_cast<u8>(~kCmdKbdOff); break;
      case 0xC0: reply(0x80); break;  // input port: keyboard not inhibited
      case 0xD0: {
        u8 full = (s_.status & kStOutFull) ? (s_.obuf_aux ? 0x20 : 0x10) : 0;
        reply(static_cast<u8>((s_.out_port & 0xCF) | full));
        break;
      }
      case 0xDD: write_output_port(s_.out_port & 0xFD); break;  // A20 off (HP Vectra extension)
      case 0xDF: write_output_port(s_.out_port | 0x02); break;  // A20 on
      case 0xE0: reply(0x00); break;                            // test inputs
      default: break;
    }
  }
}

void I8042::controller_data(u8 v) {
  u8 cmd = s_.pending;
  s_.pending = 0;
  switch (cmd) {
    case 0xD1: write_output_port(v); break;
    case 0xD2: reply(v); break;        // as if the keyboard had sent it
    case 0xD3: reply(v, true); break;  // as if the mouse had sent it
    case 0xD4: mouse_.command(v); break;
    default:  // 0x60-0x7F: controller RAM
      s_.ram[cmd & 0x1F] = v;
      if ((cmd & 0x1F) == 0) s_.status = static_cast<u8>((s_.status & ~kStSys) | (v & kCmdSys));
      break;
  }
}

void I8042::refill() {
  if (s_.status & kStOutFull) return;
  auto load = [&](u8 b, bool aux) {
    s_.obuf = b;
    s_.obuf_aux = aux;
    s_.status = static_cast<u8>((s_.status | kStOutFull) & ~kStAuxData) | (aux ? kStAuxData : 0);
  };
  if (!s_.replies.empty()) {
    u16 r = s_.replies.pop();
    load(static_cast<u8>(r), (r & 0x100) != 0);
    return;
  }
  if (!(s_.ram[0] & kCmdKbdOff)) {
    while (kbd_.has_data()) {
      u8 b = kbd_.pop();
      if (s_.ram[0] & kCmdXlat) {
        if (b == 0xF0) {  // break prefix: swallowed, sets bit 7 of the next code
          s_.xlat_break = true;
          continue;
        }
        b = static_cast<u8>(translate(b) | (s_.xlat_break ? 0x80 : 0));
        s_.xlat_break = false;
      }
      load(b, false);
      return;
    }
  }
  if (!(s_.ram[0] & kCmdAuxOff) && mouse_.has_data()) load(mouse_.pop(), true);
}

void I8042::update_irq() {
  refill();
  bool full = (s_.status & kStOutFull) != 0;
  bool irq1 = full && !s_.obuf_aux && (s_.ram[0] & kCmdKbdInt);
  bool irq12 = full && s_.obuf_aux && (s_.ram[0] & kCmdAuxInt);
  if (irq1 != s_.irq1) sink_.set_irq(kbd_irq_, irq1);
  if (irq12 != s_.irq12) sink_.set_irq(aux_irq_, irq12);
  s_.irq1 = irq1;
  s_.irq12 = irq12;
}

u32 I8042::port_in(u16 port, unsigned) {
  if (port == 0x64) return s_.status;
  u8 v = s_.obuf;  // reading an empty buffer returns the last byte again
  s_.status = static_cast<u8>(s_.status & ~(kStOutFull | kStAuxData));
  // Drop the lines before the next byte moves in, so the edge-triggered PIC sees a new edge
  // for it (on hardware the next byte arrives a serial frame later).
  if (s_.irq1) sink_.set_irq(kbd_irq_, false);
  if (s_.irq12) sink_.set_irq(aux_irq_, false);
  s_.irq1 = s_.irq12 = false;
  update_irq();
  return v;
}

void I8042::port_out(u16 port, unsigned, u32 value) {
  u8 v = static_cast<u8>(value);
  if (port == 0x64) {
    s_.status |= kStCmd;
    controller_command(v);
  } else {
    s_.status = static_cast<u8>(s_.status & ~kStCmd);
    if (s_.pending) {
      controller_data(v);
    } else {
      s_.ram[0] &= static_cast<u8>(~kCmdKbdOff);  // sending to the keyboard re-enables its clock
      kbd_.command(v);
    }
  }
  update_irq();
}

void I8042::key_event(std::span<const u8> set2_bytes) {
  kbd_.key_event(set2_bytes);
  update_irq();
}

void I8042::mouse_event(int dx, int dy, u8 buttons) {
  mouse_.mouse_event(dx, dy, buttons);
  update_irq();
}

}  // namespace pcjit::devices
