// MC146818A RTC/CMOS, lazily evaluated from virtual time (see rtc_cmos.h). References are to
// the Motorola MC146818A data sheet: "Address Map" (fig. 3), "Time, Calendar and Alarm
// Locations" (table 3: BCD/binary, 12/24-hour with bit 7 = PM), "Register A" (UIP, DV2-0,
// RS3-0 with table 5 periodic rates), "Register B" (SET, PIE, AIE, UIE, SQWE, DM, 24/12, DSE),
// "Register C" (IRQF, PF, AF, UF; cleared by a read), "Register D" (VRT).
#include "devices/rtc_cmos.h"

#include <algorithm>

namespace pcjit::devices {
namespace {

constexpr i64 kNsPerSec = 1'000'000'000;
constexpr i64 kUipWindowNs = 244'000;  // UIP is set 244 us before the update cycle

i64 floor_div(i64 a, i64 b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// Days since 1970-01-01 of a proleptic Gregorian date, and back (H. Hinnant's algorithms).
i64 days_from_civil(i64 y, unsigned m, unsigned d) {
  y -= m <= 2;
  const i64 era = floor_div(y, 400);
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<i64>(doe) - 719468;
}

struct Civil {
  i64 year;
  unsigned month, day, hour, minute, second, weekday;  // weekday 1 = Sunday (register 6)
};

Civil civil_from_epoch(i64 t) {
  i64 days = floor_div(t, 86400);
  i64 secs = t - days * 86400;
  Civil c{};
  c.hour = static_cast<unsigned>(secs / 3600);
  c.minute = static_cast<unsigned>(secs / 60 % 60);
  c.second = static_cast<unsigned>(secs % 60);
  c.weekday = static_cast<unsigned>(((days % 7) + 11) % 7) + 1;  // 1970-01-01 was a Thursday
  i64 z = days + 719468;
  const i64 era = floor_div(z, 146097);
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  c.day = doy - (153 * mp + 2) / 5 + 1;
  c.month = mp < 10 ? mp + 3 : mp - 9;
  c.year = static_cast<i64>(yoe) + era * 400 + (c.month <= 2);
  return c;
}

i64 epoch_from_civil(const Civil& c) {
  return days_from_civil(c.year, c.month, c.day) * 86400 + c.hour * 3600 + c.minute * 60 + c.second;
}

// Periodic interrupt period in cycles of the 32.768 kHz time base (table 5): RS 1 and 2 repeat
// the 256 and 128 Hz rates; RS 3..15 give 8192 Hz down to 2 Hz.
u64 periodic_cycles(u8 rs) { return rs == 0 ? 0 : rs <= 2 ? (1u << (rs + 6)) : (1u << (rs - 1)); }
u64 ns_to_cycles(u64 ns) { return ns / kNsPerSec * 32768 + ns % kNsPerSec * 32768 / kNsPerSec; }
u64 cycles_to_ns(u64 c) { return c / 32768 * kNsPerSec + (c % 32768 * kNsPerSec + 32767) / 32768; }

}  // namespace

RtcCmos::RtcCmos(core::Machine& m, core::IrqSink& sink, unsigned irq) : m_(m), sink_(sink), irq_(irq) {
  m.io().map(0x70, 2, this);
  s_.ram[kA] = 0x26;  // 32.768 kHz time base, 1024 Hz periodic rate
  s_.ram[kB] = 0x02;  // 24-hour, BCD
  s_.ram[kD] = 0x80;  // valid RAM and time
  s_.base_ns = now_ns();
  s_.flags_checked_ns = m.clock().now_ns();
}

RtcCmos::~RtcCmos() {
  if (s_.event_scheduled) m_.events().cancel(s_.event);
}

void RtcCmos::reset() {
  sync_flags();
  s_.ram[kB] &= 0x8F;  // PIE, AIE, UIE, SQWE cleared
  s_.ram[kC] = 0;
  if (s_.irq_high) sink_.set_irq(irq_, false);
  s_.irq_high = false;
  s_.nmi_masked = false;
  reschedule();
}

bool RtcCmos::updating() const {
  bool divider_reset = ((s_.ram[kA] >> 4) & 6) == 6;
  return !divider_reset && !(s_.ram[kB] & 0x80);
}

i64 RtcCmos::time() const {
  if (!updating()) return s_.epoch_base;
  return s_.epoch_base + floor_div(now_ns() - s_.base_ns, kNsPerSec);
}

void RtcCmos::set_time(i64 epoch_seconds) {
  sync_flags();
  s_.epoch_base = epoch_seconds;
  s_.base_ns = now_ns();
  reschedule();
}

u8 RtcCmos::encode(unsigned v) const {
  if (s_.ram[kB] & 0x04) return static_cast<u8>(v);
  return static_cast<u8>((v / 10 % 10) << 4 | (v % 10));
}

unsigned RtcCmos::decode(u8 v) const {
  if (s_.ram[kB] & 0x04) return v;
  return (v >> 4) * 10u + (v & 0xF);
}

u8 RtcCmos::encode_hour(unsigned h24) const {
  if (s_.ram[kB] & 0x02) return encode(h24);
  unsigned h12 = h24 % 12 == 0 ? 12 : h24 % 12;
  return static_cast<u8>(encode(h12) | (h24 >= 12 ? 0x80 : 0));
}

unsigned RtcCmos::decode_hour(u8 v) const {
  if (s_.ram[kB] & 0x02) return decode(v) % 24;
  return decode(v & 0x7F) % 12 + ((v & 0x80) ? 12 : 0);
}

bool RtcCmos::alarm_matches(i64 epoch) const {
  Civil c = civil_from_epoch(epoch);
  // A "don't care" alarm byte has its two high bits set (data sheet, "Alarm").
  auto match = [](u8 alarm, u8 now) { return (alarm & 0xC0) == 0xC0 || alarm == now; };
  return match(s_.ram[kSecAlarm], encode(c.second)) && match(s_.ram[kMinAlarm], encode(c.minute)) &&
         match(s_.ram[kHourAlarm], encode_hour(c.hour));
}

void RtcCmos::sync_flags() {
  const u64 now = m_.clock().now_ns();
  const u64 then = s_.flags_checked_ns;
  if (now > then) {
    if (updating()) {
      i64 s0 = floor_div(static_cast<i64>(then) - s_.base_ns, kNsPerSec);
      i64 s1 = floor_div(static_cast<i64>(now) - s_.base_ns, kNsPerSec);
      if (s1 > s0) {
        s_.ram[kC] |= 0x10;  // UF: an update cycle ended
        for (i64 s = std::max(s0 + 1, s1 - 86400); s <= s1; ++s) {
          if (alarm_matches(s_.epoch_base + s)) {
            s_.ram[kC] |= 0x20;  // AF
            break;
          }
        }
      }
    }
    u64 p = periodic_cycles(s_.ram[kA] & 0x0F);
    if (p && ((s_.ram[kA] >> 4) & 6) != 6 && ns_to_cycles(now) / p > ns_to_cycles(then) / p)
      s_.ram[kC] |= 0x40;  // PF: set at the periodic rate whether or not PIE is on
    s_.flags_checked_ns = now;
  }
  u8 c = s_.ram[kC], b = s_.ram[kB];
  bool irqf = (c & b & 0x70) != 0;  // PF&PIE | AF&AIE | UF&UIE
  if (irqf && !(c & 0x80)) {
    s_.ram[kC] |= 0x80;
    s_.irq_high = true;
    sink_.set_irq(irq_, true);
  }
}

void RtcCmos::reschedule() {
  if (s_.event_scheduled) {
    m_.events().cancel(s_.event);
    s_.event_scheduled = false;
  }
  if (s_.ram[kC] & 0x80) return;  // IRQF stays set until register C is read
  const u64 now = m_.clock().now_ns();
  u64 when = core::EventQueue::kNever;
  u64 p = periodic_cycles(s_.ram[kA] & 0x0F);
  if ((s_.ram[kB] & 0x40) && p && ((s_.ram[kA] >> 4) & 6) != 6)
    when = cycles_to_ns((ns_to_cycles(now) / p + 1) * p);
  if ((s_.ram[kB] & 0x30) && updating()) {
    i64 s1 = floor_div(static_cast<i64>(now) - s_.base_ns, kNsPerSec);
    when = std::min(when, static_cast<u64>(s_.base_ns + (s1 + 1) * kNsPerSec));
  }
  if (when == core::EventQueue::kNever) return;
  s_.event = m_.events().schedule(when, [this] {
    s_.event_scheduled = false;
    sync_flags();
    reschedule();
  });
  s_.event_scheduled = true;
}

void RtcCmos::set_field(u8 index, u8 value) {
  sync_flags();
  const i64 cur = time();
  Civil c = civil_from_epoch(cur);
  switch (index) {
    case kSec: c.second = std::min(decode(value), 59u); break;
    case kMin: c.minute = std::min(decode(value), 59u); break;
    case kHour: c.hour = decode_hour(value); break;
    case kDay: c.day = std::clamp(decode(value), 1u, 31u); break;
    case kMonth: c.month = std::clamp(decode(value), 1u, 12u); break;
    case kYear: c.year = c.year / 100 * 100 + decode(value) % 100; break;
    case kCentury: c.year = static_cast<i64>(decode(value)) * 100 + c.year % 100; break;
    default: return;  // the weekday follows from the date
  }
  s_.epoch_base += epoch_from_civil(c) - cur;  // keeps the phase of the running second
}

u8 RtcCmos::read(u8 index) {
  index &= 0x7F;
  switch (index) {
    case kSec: return encode(civil_from_epoch(time()).second);
    case kMin: return encode(civil_from_epoch(time()).minute);
    case kHour: return encode_hour(civil_from_epoch(time()).hour);
    case kWeekday: return encode(civil_from_epoch(time()).weekday);
    case kDay: return encode(civil_from_epoch(time()).day);
    case kMonth: return encode(civil_from_epoch(time()).month);
    case kYear: return encode(static_cast<unsigned>(civil_from_epoch(time()).year % 100));
    case kCentury: return encode(static_cast<unsigned>(civil_from_epoch(time()).year / 100));
    case kA: {
      bool uip = false;
      if (updating()) {
        i64 frac = now_ns() - s_.base_ns - floor_div(now_ns() - s_.base_ns, kNsPerSec) * kNsPerSec;
        uip = frac >= kNsPerSec - kUipWindowNs;
      }
      return static_cast<u8>((s_.ram[kA] & 0x7F) | (uip ? 0x80 : 0));
    }
    case kC: {
      sync_flags();
      u8 v = s_.ram[kC];
      s_.ram[kC] = 0;
      if (s_.irq_high) sink_.set_irq(irq_, false);
      s_.irq_high = false;
      reschedule();
      return v;
    }
    case kD: return 0x80;
    default: return s_.ram[index];
  }
}

void RtcCmos::write(u8 index, u8 value) {
  index &= 0x7F;
  switch (index) {
    case kSec:
    case kMin:
    case kHour:
    case kWeekday:
    case kDay:
    case kMonth:
    case kYear:
    case kCentury: set_field(index, value); return;
    case kA:
    case kB: {
      sync_flags();
      const i64 cur = time();
      const bool was = updating();
      const bool divider_was_reset = ((s_.ram[kA] >> 4) & 6) == 6;
      if (index == kA) {
        s_.ram[kA] = value & 0x7F;  // UIP is read-only
      } else {
        s_.ram[kB] = (value & 0x80) ? (value & ~0x10) : value;  // SET clears UIE
      }
      const bool now_upd = updating();
      if (was && !now_upd) {
        s_.epoch_base = cur;  // frozen at the current second
      } else if (!was && now_upd) {
        // Leaving SET: the next update is one second away; leaving divider reset: half a second.
        bool from_reset = divider_was_reset && ((s_.ram[kA] >> 4) & 6) != 6;
        s_.base_ns = now_ns() - (from_reset ? kNsPerSec / 2 : 0);
      }
      sync_flags();  // enabling an interrupt whose flag is already set asserts IRQF at once
      reschedule();
      return;
    }
    case kC:
    case kD: return;  // read-only
    default: s_.ram[index] = value; return;
  }
}

void RtcCmos::update_checksum() {
  unsigned sum = 0;
  for (unsigned i = 0x10; i <= 0x2D; ++i) sum += s_.ram[i];
  s_.ram[0x2E] = static_cast<u8>(sum >> 8);
  s_.ram[0x2F] = static_cast<u8>(sum);
}

void RtcCmos::set_nvram_fields(const std::vector<std::pair<u8, u8>>& fields) {
  for (auto [index, value] : fields) set_nvram(index, value);
  update_checksum();
}

u32 RtcCmos::port_in(u16 port, unsigned) {
  if (port == 0x70) return 0xFF;  // the index register is write-only
  return read(s_.index);
}

void RtcCmos::port_out(u16 port, unsigned, u32 value) {
  u8 v = static_cast<u8>(value);
  if (port == 0x70) {
    s_.index = v & 0x7F;
    s_.nmi_masked = (v & 0x80) != 0;
    return;
  }
  write(s_.index, v);
}

}  // namespace pcjit::devices
