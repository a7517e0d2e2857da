// PS/2 keyboard and mouse: the devices at the other end of the 8042's two ports. They answer
// host command bytes with ACK (FA) and their replies, and queue scan codes / motion packets.
// Command sets: IBM PS/2 Hardware Interface Technical Reference, "Keyboard" (commands ED-FF)
// and "Pointing Device" (commands E6-FF, 3-byte packets, status request).
#include "devices/i8042.h"

namespace pcjit::devices {

namespace {
constexpr u8 kAck = 0xFA, kResend = 0xFE, kBatOk = 0xAA;
}  // namespace

// --- keyboard -------------------------------------------------------------------------------

void Ps2Keyboard::send(u8 b) {
  s_.out.push(b);
  s_.last_sent = b;
}

void Ps2Keyboard::defaults() {
  s_.scancode_set = 2;
  s_.typematic = 0x2B;
  s_.leds = 0;
}

void Ps2Keyboard::reset() {
  s_ = State{};
}

void Ps2Keyboard::command(u8 b) {
  if (u8 cmd = s_.pending) {
    s_.pending = 0;
    switch (cmd) {
      case 0xED: s_.leds = b & 7; send(kAck); return;
      case 0xF3: s_.typematic = b & 0x7F; send(kAck); return;
      default:  // F0: 0 = report the current set, 1-3 = select
        if (b == 0) {
          send(kAck);
          send(s_.scancode_set);
        } else if (b <= 3) {
          s_.scancode_set = b;
          send(kAck);
        } else {
          send(kResend);
        }
        return;
    }
  }
  switch (b) {
    case 0xFF:  // reset: ACK, then the basic assurance test passes
      s_.out.clear();
      defaults();
      s_.scanning = true;
      send(kAck);
      send(kBatOk);
      break;
    case 0xFE: s_.out.push(s_.last_sent); break;
    case 0xF6: defaults(); s_.scanning = true; send(kAck); break;
    case 0xF5: defaults(); s_.scanning = false; send(kAck); break;
    case 0xF4: s_.out.clear(); s_.scanning = true; send(kAck); break;
    case 0xF3:
    case 0xF0:
    case 0xED: s_.pending = b; send(kAck); break;
    case 0xF2: send(kAck); send(0xAB); send(0x83); break;  // MF2 keyboard
    case 0xEE: send(0xEE); break;                          // echo (no ACK)
    case 0xF7: case 0xF8: case 0xF9: case 0xFA: case 0xFB: case 0xFC: case 0xFD:
      send(kAck);  // set 3 key-type commands: accepted, no effect on set 2
      break;
    default: send(kResend); break;
  }
}

void Ps2Keyboard::key_event(std::span<const u8> set2) {
  if (!s_.scanning) return;
  if (s_.out.free() < set2.size()) return;  // a key that does not fit is lost, never half-sent
  bool brk = false;
  for (u8 b : set2) {
    if (s_.scancode_set != 1) {
      s_.out.push(b);
    } else if (b == 0xF0) {  // the keyboard itself speaks set 1: break = make | 0x80
      brk = true;
    } else {
      s_.out.push(static_cast<u8>(I8042::translate(b) | (brk ? 0x80 : 0)));
      brk = false;
    }
  }
}

// --- mouse ----------------------------------------------------------------------------------

void Ps2Mouse::send(u8 b) {
  s_.out.push(b);
  s_.last_sent = b;
}

void Ps2Mouse::defaults() {
  s_.sample_rate = 100;
  s_.resolution = 2;
  s_.scaling_2to1 = false;
  s_.reporting = false;
  s_.dx = s_.dy = 0;
}

void Ps2Mouse::reset() { s_ = State{}; }

void Ps2Mouse::command(u8 b) {
  if (s_.wrap && b != 0xFF && b != 0xEC) {  // wrap mode echoes everything but reset/leave
    send(b);
    return;
  }
  if (u8 cmd = s_.pending) {
    s_.pending = 0;
    if (cmd == 0xF3) {
      s_.sample_rate = b;
      s_.rate_history = {s_.rate_history[1], s_.rate_history[2], b};
      // The IntelliMouse knock: sample rates 200, 100, 80 switch to ID 3 (wheel, 4-byte packets).
      if (s_.rate_history == std::array<u8, 3>{200, 100, 80}) s_.id = 3;
    } else {
      s_.resolution = b & 3;
    }
    send(kAck);
    return;
  }
  switch (b) {
    case 0xFF:
      s_.out.clear();
      defaults();
      s_.remote = s_.wrap = false;
      s_.id = 0;
      send(kAck);
      send(kBatOk);
      send(0x00);
      break;
    case 0xFE: s_.out.push(s_.last_sent); break;
    case 0xF6: defaults(); send(kAck); break;
    case 0xF5:
    case 0xF4:  // both also clear the movement counters
      s_.reporting = b == 0xF4;
      s_.dx = s_.dy = 0;
      send(kAck);
      break;
    case 0xF3:
    case 0xE8: s_.pending = b; send(kAck); break;
    case 0xF2: send(kAck); send(s_.id); break;
    case 0xF0: s_.remote = true; send(kAck); break;
    case 0xEE: s_.wrap = true; send(kAck); break;
    case 0xEC: s_.wrap = false; send(kAck); break;
    case 0xEA: s_.remote = false; send(kAck); break;
    case 0xEB: send(kAck); send_packet(); break;
    case 0xE9: {  // status request: mode/buttons, resolution, sample rate
      u8 st = static_cast<u8>((s_.remote ? 0x40 : 0) | (s_.reporting ? 0x20 : 0) | (s_.scaling_2to1 ? 0x10 : 0) |
                              ((s_.buttons & 1) << 2) | ((s_.buttons & 4) >> 1) | ((s_.buttons & 2) >> 1));
      send(kAck);
      send(st);
      send(s_.resolution);
      send(s_.sample_rate);
      break;
    }
    case 0xE7: s_.scaling_2to1 = true; send(kAck); break;
    case 0xE6: s_.scaling_2to1 = false; send(kAck); break;
    default: send(kResend); break;
  }
}

void Ps2Mouse::send_packet() {
  if (s_.out.free() < 4u) return;
  auto clamp9 = [](int v, bool& ovf) {
    ovf = v < -256 || v > 255;
    return v < -256 ? -256 : v > 255 ? 255 : v;
  };
  bool ox = false, oy = false;
  int dx = clamp9(s_.dx, ox), dy = clamp9(s_.dy, oy);
  u8 b0 = static_cast<u8>(0x08 | (s_.buttons & 7) | (dx < 0 ? 0x10 : 0) | (dy < 0 ? 0x20 : 0) |
                          (ox ? 0x40 : 0) | (oy ? 0x80 : 0));
  s_.out.push(b0);
  s_.out.push(static_cast<u8>(dx & 0xFF));
  s_.out.push(static_cast<u8>(dy & 0xFF));
  if (s_.id == 3) s_.out.push(0);  // no wheel movement
  s_.dx = s_.dy = 0;
}

void Ps2Mouse::mouse_event(int dx, int dy, u8 buttons) {
  s_.dx += dx;
  s_.dy += dy;
  s_.buttons = buttons & 7;
  if (s_.reporting && !s_.remote && !s_.wrap) send_packet();
}

}  // namespace pcjit::devices
