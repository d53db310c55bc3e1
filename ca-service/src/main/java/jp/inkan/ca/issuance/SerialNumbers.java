package jp.inkan.ca.issuance;

import java.math.BigInteger;

/** Where certificate serial numbers come from. */
public interface SerialNumbers {

    /** A positive serial of at least 64 random bits, at most 20 octets DER-encoded. */
    BigInteger next();
}
