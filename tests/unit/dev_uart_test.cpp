// NS16550A against its datasheet: divisor latch (DLAB), character time from the 1.8432 MHz clock,
// loopback (MCR bit 4: TX -> RX, CTS/DSR/RI/DCD <- RTS/DTR/OUT1/OUT2), the interrupt priority
// table (line status > received data / timeout > THR empty > modem status) with each cause's
// clearing action, receiver FIFO trigger levels (FCR bits 7:6 = 1/4/8/14), the four-character
// timeout, and the PC's OUT2 gating of the IRQ line.
#include <doctest/doctest.h>

#include <array>
#include <vector>

#include "core/machine.h"
#include "devices/uart16550.h"

using namespace pcjit;
using devices::Uart16550;

namespace {

struct FakeIrqs final : core::IrqSink {
  std::array<bool, 16> level{};
  void set_irq(unsigned irq, bool l) override { level[irq] = l; }
};

constexpr u16 kB = 0x3F8;

struct Rig {
  core::Machine m{core::MachineConfig{}};
  FakeIrqs irqs;
  std::vector<u8> sent;
  Uart16550 u{m, kB, 4, irqs, [this](u8 b) { sent.push_back(b); }};
  Rig() {
    out(3, 0x80);  // DLAB: divisor 1 = 115200 baud
    out(0, 1);
    out(1, 0);
    out(3, 0x03);  // 8N1
  }
  void out(unsigned reg, u8 v) { m.io().out(static_cast<u16>(kB + reg), 1, v); }
  u8 in(unsigned reg) { return static_cast<u8>(m.io().in(static_cast<u16>(kB + reg), 1)); }
  void wait(u64 ns) {
    m.clock().skip_to(m.clock().now_ns() + ns);
    m.events().run_due(m.clock().now_ns());
  }
  u64 ct() const { return u.char_time_ns(); }
};

}  // namespace

TEST_CASE("UART: the divisor latch reads back under DLAB and sets the character time (10 bits at 115200 baud)") {
  Rig r;
  r.out(3, 0x83);
  CHECK(r.in(0) == 1);
  CHECK(r.in(1) == 0);
  r.out(3, 0x03);
  // 10 bits * 16 * 1 / 1843200 Hz = 86805.6 ns
  CHECK(r.ct() == 86805u);
  r.out(3, 0x80);
  r.out(0, 12);  // 9600 baud
  r.out(3, 0x0F);  // 8 data, parity, 2 stop: 12 bits
  CHECK(r.ct() == 12ull * 16 * 12 * 1000000000ull / 1843200);
}

TEST_CASE("UART: reset state — IIR 01, LSR 60 (transmitter empty), IER 0") {
  Rig r;
  CHECK(r.in(2) == 0x01);
  CHECK(r.in(5) == 0x60);
  CHECK(r.in(1) == 0x00);
}

TEST_CASE("UART: a transmitted byte reaches the host after one character time") {
  Rig r;
  r.out(0, 'H');
  CHECK(r.sent.empty());
  CHECK((r.in(5) & 0x40) == 0);  // TEMT clear while shifting
  r.wait(r.ct());
  REQUIRE(r.sent.size() == 1);
  CHECK(r.sent[0] == 'H');
  CHECK(r.in(5) == 0x60);
}

TEST_CASE("UART: loopback returns transmitted bytes to RBR and the modem outputs to MSR, without reaching the host") {
  Rig r;
  r.out(4, 0x10);
  r.out(0, 0x5A);
  r.wait(r.ct());
  CHECK(r.sent.empty());
  CHECK((r.in(5) & 0x01) == 0x01);
  CHECK(r.in(0) == 0x5A);
  CHECK((r.in(5) & 0x01) == 0x00);
  r.in(6);            // clear deltas
  r.out(4, 0x1F);     // DTR RTS OUT1 OUT2 + loop
  CHECK(r.in(6) == 0xFB);  // CTS DSR RI DCD set; DCTS DDSR DDCD (RI rising edge is no TERI)
  r.out(4, 0x1B);     // OUT1 off: RI falls
  CHECK((r.in(6) & 0x04) == 0x04);  // TERI
}

TEST_CASE("UART: THRE interrupt on enabling ETBEI, cleared by reading IIR, re-raised when THR empties again") {
  Rig r;
  r.out(4, 0x08);  // OUT2: the PC's IRQ enable
  r.out(1, 0x02);
  CHECK(r.in(2) == 0x02);
  CHECK(r.irqs.level[4] == false);  // that IIR read cleared it
  CHECK(r.in(2) == 0x01);
  r.out(0, 'x');  // moves to the shift register at once: THR empty again
  CHECK(r.irqs.level[4]);
  r.out(0, 'y');  // THR full behind the busy shifter: THRE clear
  CHECK_FALSE(r.irqs.level[4]);
  CHECK((r.in(5) & 0x20) == 0);
  r.wait(r.ct());  // 'x' done, 'y' moves to the shifter, THR empty
  CHECK(r.irqs.level[4]);
  CHECK((r.in(5) & 0x20) == 0x20);
  r.out(0, 'z');  // writing THR clears the THRE interrupt
  CHECK_FALSE(r.irqs.level[4]);
  r.wait(2 * r.ct());
  CHECK(r.sent == std::vector<u8>{'x', 'y', 'z'});
}

TEST_CASE("UART: without OUT2 the pending interrupt shows in IIR but the PC's IRQ line stays low") {
  Rig r;
  r.out(1, 0x02);
  CHECK_FALSE(r.irqs.level[4]);
  r.out(4, 0x08);
  CHECK(r.irqs.level[4]);
  r.out(4, 0x18);  // loopback forces OUT2 inactive
  CHECK_FALSE(r.irqs.level[4]);
}

TEST_CASE("UART: IIR reports causes by priority and each is cleared by its own action") {
  Rig r;
  r.out(4, 0x10);   // loopback
  r.out(1, 0x0F);   // all four interrupt enables (THRE pending at once)
  r.out(0, 'A');
  r.wait(r.ct());
  r.out(0, 'B');    // a second character while RBR is full: overrun
  r.wait(r.ct());
  r.out(4, 0x12);   // RTS -> CTS in loopback: DCTS
  CHECK(r.in(2) == 0x06);             // receiver line status
  CHECK((r.in(5) & 0x03) == 0x03);    // OE and DR; reading LSR clears OE
  CHECK(r.in(2) == 0x04);             // received data available
  CHECK(r.in(0) == 'B');              // non-FIFO overrun: the new character overwrote RBR
  CHECK(r.in(2) == 0x02);             // THR empty (this read clears it)
  CHECK(r.in(2) == 0x00);             // modem status
  CHECK((r.in(6) & 0x01) == 0x01);
  CHECK(r.in(2) == 0x01);
}

TEST_CASE("UART FIFO: received-data interrupt at the trigger level (14), then the 4-character timeout") {
  Rig r;
  r.out(2, 0xC7);  // enable + clear FIFOs, trigger 14
  r.out(4, 0x08);
  r.out(1, 0x01);
  CHECK(r.in(2) == 0xC1);  // FIFOs enabled: bits 7:6 set
  for (int i = 0; i < 14; ++i) r.u.receive(static_cast<u8>('a' + i));
  r.wait(13 * r.ct());
  CHECK(r.in(2) == 0xC1);
  CHECK_FALSE(r.irqs.level[4]);
  r.wait(r.ct());
  CHECK(r.in(2) == 0xC4);
  CHECK(r.irqs.level[4]);
  CHECK(r.in(0) == 'a');   // 13 left: below the trigger
  CHECK(r.in(2) == 0xC1);
  r.wait(4 * r.ct() - 1);
  CHECK(r.in(2) == 0xC1);
  r.wait(1);
  CHECK(r.in(2) == 0xCC);  // character timeout
  CHECK(r.irqs.level[4]);
  CHECK(r.in(0) == 'b');   // reading RBR clears it
  CHECK(r.in(2) == 0xC1);
}

TEST_CASE("UART FIFO: trigger level 4, 16-byte transmit FIFO drains one character per character time") {
  Rig r;
  r.out(2, 0x47);  // trigger 4
  r.out(4, 0x10);
  r.out(1, 0x01);
  for (u8 i = 0; i < 16; ++i) r.out(0, i);
  CHECK((r.in(5) & 0x20) == 0);
  r.wait(3 * r.ct());
  CHECK(r.in(2) == 0xC1);
  r.wait(r.ct());
  CHECK(r.in(2) == 0xC4);
  r.wait(12 * r.ct());
  CHECK(r.in(5) == 0x61);  // all sent, data ready
  for (u8 i = 0; i < 16; ++i) CHECK(r.in(0) == i);
  CHECK((r.in(5) & 0x01) == 0);
}

TEST_CASE("UART: instant transmit mode hands bytes to the host at the THR write") {
  Rig r;
  r.u.set_instant_tx(true);
  r.out(0, 'Q');
  CHECK(r.sent == std::vector<u8>{'Q'});
  CHECK(r.in(5) == 0x60);
}

TEST_CASE("UART fuzz: 20000 random register accesses and host input with time passing never break the FIFOs") {
  Rig r;
  u64 x = 0xD1B54A32D192ED03ull;
  auto next = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  for (int i = 0; i < 20000; ++i) {
    u64 v = next();
    unsigned reg = v & 7;
    if (v & 0x100) r.out(reg, static_cast<u8>(v >> 16));
    else (void)r.in(reg);
    if ((v & 0xF000) == 0) r.u.receive(static_cast<u8>(v >> 24));
    if (i % 32 == 0) r.wait(next() % 2000000);
    CHECK(r.u.state().rx.size <= 16);
    CHECK(r.u.state().tx.size <= 16);
  }
}
