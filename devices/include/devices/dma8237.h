// The PC/AT pair of Intel 8237A DMA controllers with the 74LS612 page registers.
//
// Controller 1 (channels 0-3, byte transfers) at ports 0x00-0x0F; controller 2 (channels 4-7,
// word transfers, cascaded through channel 4) at 0xC0-0xDF (registers on even ports);
// page registers at 0x80-0x8F (ch2 0x81, ch3 0x82, ch1 0x83, ch0 0x87, ch6 0x89, ch7 0x8A,
// ch5 0x8B; the others are scratch).
//
// Devices (floppy, SB-style cards) do not raise DREQ and wait for cycles: they call
// write_memory()/read_memory() with the bytes they have or want, and the controller moves as
// many as the programmed channel allows (stopping at terminal count unless auto-init reloads
// it), in the programmed direction, through PhysicalMemory::write_bytes/read_bytes so translated
// code sees DMA writes. For channels 5-7 the address and count registers count 16-bit words and
// the byte address is (page & 0xFE) << 16 | address << 1 (IBM PC/AT technical reference).
#pragma once
#include <array>
#include <cstddef>
#include <memory>
#include <span>

#include "core/io_bus.h"
#include "core/machine.h"

namespace pcjit::devices {

class Dma8237 final : public core::Device {
 public:
  struct Channel {
    u16 base_address = 0;
    u16 base_count = 0;
    u16 address = 0;  // current address
    u16 count = 0;    // current count (transfers left = count + 1)
    u8 mode = 0;      // mode register bits 7:2 (bits 1:0 are the channel select)
    u8 page = 0;
    bool masked = true;
    bool request = false;  // software request register
    bool tc = false;       // reached terminal count since the last status read
  };
  struct Controller {
    std::array<Channel, 4> ch{};
    bool flip_flop = false;  // false: next byte is the low byte
    u8 command = 0;
    u8 temp = 0;
  };
  struct State {
    std::array<Controller, 2> ctl{};
    std::array<u8, 16> pages{};  // raw page register file 0x80-0x8F
  };

  explicit Dma8237(core::Machine& m);
  ~Dma8237() override;

  // Device -> memory (a "write transfer", mode bits 3:2 = 01). Returns the bytes moved: 0 when
  // the channel is masked or programmed for another direction, fewer than asked at terminal count.
  std::size_t write_memory(unsigned ch, std::span<const u8> data);
  // Memory -> device (a "read transfer", mode bits 3:2 = 10).
  std::size_t read_memory(unsigned ch, std::span<u8> data);
  bool terminal_count(unsigned ch) const;
  bool masked(unsigned ch) const;
  // DREQ from a device: shown in status bits 7:4 (informational; transfers do not need it).
  void set_request(unsigned ch, bool level);

  u32 port_read(u16 port);
  void port_write(u16 port, u8 value);
  const State& state() const { return s_; }

  void reset() override;
  const char* name() const override { return "dma8237"; }

 private:
  class Ports;
  Channel& channel(unsigned ch) { return s_.ctl[ch >> 2].ch[ch & 3]; }
  const Channel& channel(unsigned ch) const { return s_.ctl[ch >> 2].ch[ch & 3]; }
  template <bool ToMemory>
  std::size_t transfer(unsigned ch, u8* bytes, std::size_t len);
  u8 controller_read(unsigned c, unsigned reg);
  void controller_write(unsigned c, unsigned reg, u8 value);

  core::Machine& m_;
  std::unique_ptr<Ports> ports_;
  State s_{};
  std::array<bool, 8> dreq_{};
};

}  // namespace pcjit::devices
