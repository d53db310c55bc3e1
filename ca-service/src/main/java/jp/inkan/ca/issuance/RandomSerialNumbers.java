package jp.inkan.ca.issuance;

import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigInteger;
import java.security.SecureRandom;

/**
 * 127 bits from the platform CSPRNG (16 octets with the top bit cleared so the INTEGER is
 * positive without a padding octet). Uniqueness per CA is the database's job.
 */
@ApplicationScoped
public class RandomSerialNumbers implements SerialNumbers {

    private final SecureRandom random = new SecureRandom();

    @Override
    public BigInteger next() {
        byte[] bytes = new byte[16];
        BigInteger serial;
        do {
            random.nextBytes(bytes);
            bytes[0] &= 0x7f;
            serial = new BigInteger(1, bytes);
        } while (serial.bitLength() < 64);
        return serial;
    }
}
