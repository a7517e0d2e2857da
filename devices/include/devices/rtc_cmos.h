// Motorola MC146818A real-time clock and CMOS NVRAM (ports 0x70 index + NMI mask, 0x71 data).
//
// The time of day is not kept in registers that tick: the chip remembers which calendar second
// started at which virtual nanosecond, and the time registers are computed when read (BCD or
// binary, 12 or 24 hour, per register B). The update-ended, alarm and periodic flags of
// register C are also derived lazily from virtual time; an event is scheduled only when an
// enabled interrupt needs to reach IRQ8 and IRQF is not already set. The start date is settable
// and defaults to a fixed date, so runs are deterministic (the wall clock is never read here).
#pragma once
#include <array>
#include <utility>
#include <vector>

#include "core/event_queue.h"
#include "core/interrupts.h"
#include "core/io_bus.h"
#include "core/machine.h"

namespace pcjit::devices {

class RtcCmos final : public core::PortHandler, public core::Device {
 public:
  static constexpr i64 kDefaultStartTime = 1577836800;  // 2020-01-01 00:00:00 UTC
  // Register indices (MC146818A data sheet, "Address Map").
  enum Reg : u8 { kSec = 0, kSecAlarm = 1, kMin = 2, kMinAlarm = 3, kHour = 4, kHourAlarm = 5,
                  kWeekday = 6, kDay = 7, kMonth = 8, kYear = 9, kA = 10, kB = 11, kC = 12, kD = 13,
                  kCentury = 0x32 };

  struct State {
    std::array<u8, 128> ram{};
    u8 index = 0;
    bool nmi_masked = false;
    i64 epoch_base = kDefaultStartTime;  // calendar second that began at base_ns
    i64 base_ns = 0;                     // virtual ns (may be "negative" just after a restart)
    u64 flags_checked_ns = 0;            // register C flags are accounted up to this instant
    bool irq_high = false;
    bool event_scheduled = false;
    core::EventId event = 0;
  };

  // Claims 0x70-0x71; interrupts go to `irq` (8) of `sink`.
  RtcCmos(core::Machine& m, core::IrqSink& sink, unsigned irq = 8);
  ~RtcCmos() override;
  u32 port_in(u16 port, unsigned size) override;
  void port_out(u16 port, unsigned size, u32 value) override;
  // RESET pin: clears PIE/AIE/UIE/SQWE and the register C flags; time and NVRAM survive.
  void reset() override;
  const char* name() const override { return "rtc-cmos"; }

  // Register-level access (what port 0x71 does for the selected index).
  u8 read(u8 index);
  void write(u8 index, u8 value);

  // The calendar time (seconds since 1970-01-01 UTC) at the current virtual instant.
  void set_time(i64 epoch_seconds);
  i64 time() const;
  bool nmi_masked() const { return s_.nmi_masked; }

  // NVRAM for the board: raw bytes (no register side effects), and a bulk fill that also
  // recomputes the standard checksum (0x2E-0x2F over 0x10-0x2D, high byte first).
  void set_nvram(u8 index, u8 value) { s_.ram[index & 0x7F] = value; }
  u8 nvram(u8 index) const { return s_.ram[index & 0x7F]; }
  void set_nvram_fields(const std::vector<std::pair<u8, u8>>& fields);
  void update_checksum();
  const State& state() const { return s_; }

 private:
  bool updating() const;  // divider running and SET clear: the time advances
  i64 now_ns() const { return static_cast<i64>(m_.clock().now_ns()); }
  void sync_flags();      // account update/alarm/periodic flags up to now, raise IRQ8
  void freeze();          // stop the clock at the current second
  void unfreeze(i64 first_update_delay_ns);
  void reschedule();
  u8 encode(unsigned v) const;
  unsigned decode(u8 v) const;
  u8 encode_hour(unsigned h24) const;
  unsigned decode_hour(u8 v) const;
  bool alarm_matches(i64 epoch) const;
  void set_field(u8 index, u8 value);

  core::Machine& m_;
  core::IrqSink& sink_;
  unsigned irq_;
  State s_;
};

}  // namespace pcjit::devices
