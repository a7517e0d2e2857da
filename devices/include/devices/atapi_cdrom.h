// An ATAPI CD-ROM drive (ATA/ATAPI-6 PACKET feature set, SCSI MMC commands) backed by an ISO
// image of 2048-byte sectors, or empty.
//
// Protocol (ATA/ATAPI-6 9.10): PACKET (A0h) asks for the 12-byte command with DRQ and
// interrupt reason CoD=1; data moves in DRQ blocks no larger than the host's byte count limit
// (cylinder registers), each announced by an interrupt with reason IO=1; the end shows reason
// IO|CoD, DRDY and an interrupt; errors set ERR with the sense key in the error register's high
// nibble. With the feature register's DMA bit, data moves through the bus master instead.
// El Torito boot works through READ(10) like any other read (SeaBIOS does it).
#pragma once
#include <array>
#include <memory>
#include <span>
#include <vector>

#include "devices/disk_image.h"
#include "devices/ide_drive.h"

namespace pcjit::devices {

namespace scsi {
// Sense keys and additional sense codes (SPC-3 4.5.6, Annex D).
inline constexpr u8 kNoSense = 0x0, kNotReady = 0x2, kIllegalRequest = 0x5, kUnitAttention = 0x6;
inline constexpr u8 kAscInvalidOpcode = 0x20, kAscLbaOutOfRange = 0x21, kAscInvalidField = 0x24;
inline constexpr u8 kAscMediumNotPresent = 0x3A, kAscSavingNotSupported = 0x39;
}  // namespace scsi

class AtapiCdrom final : public IdeDrive {
 public:
  explicit AtapiCdrom(std::unique_ptr<DiskImage> image);  // nullptr: no disc
  bool is_atapi() const override { return true; }
  void execute(u8 command) override;
  void insert(std::unique_ptr<DiskImage> image) { image_ = std::move(image); }
  bool has_medium() const { return image_ != nullptr; }
  std::array<u16, 256> identify_data() const;

  struct Sense {
    u8 key = 0, asc = 0, ascq = 0;
  };
  const Sense& sense() const { return cd_.sense; }

 protected:
  void set_signature() override;
  void pio_done() override;
  void run_dma() override;

 private:
  // What a packet command produced: data for the host, or a check condition.
  struct Reply {
    std::vector<u8> data;
    bool ok = true;
  };
  void run_packet(std::span<const u8, 12> cdb);
  Reply dispatch(std::span<const u8, 12> cdb);
  Reply fail(u8 key, u8 asc);
  Reply read_blocks(u64 lba, u64 count);
  Reply read_toc(std::span<const u8, 12> cdb);
  Reply mode_sense(std::span<const u8, 12> cdb);
  void send_next_chunk();
  bool refill();
  void finish_packet();
  void check_condition();

  struct State {
    Sense sense;
    bool locked = false;
    bool dma = false;  // this packet moves data by DMA
    bool awaiting_packet = false;
    std::vector<u8> reply;  // data of the current packet command (for reads: the current slice)
    std::size_t reply_pos = 0;
    u64 read_lba = 0;   // READ(10/12): blocks not yet loaded into reply, so a large read
    u64 read_left = 0;  // streams through a bounded buffer
    unsigned byte_limit = 0;
  };

  std::unique_ptr<DiskImage> image_;
  State cd_;
};

}  // namespace pcjit::devices
