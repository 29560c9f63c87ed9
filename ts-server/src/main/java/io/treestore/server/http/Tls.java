package io.treestore.server.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Builds a TLS server context from PEM files: a certificate chain
 * ({@code -----BEGIN CERTIFICATE-----} blocks, leaf first) and an unencrypted PKCS#8 private
 * key ({@code -----BEGIN PRIVATE KEY-----}, RSA or EC, as {@code openssl genpkey} writes).
 */
final class Tls {
  private static final Pattern KEY = Pattern.compile(
      "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

  private Tls() {}

  static SSLContext context(Path certFile, Path keyFile) {
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      Certificate[] chain = cf.generateCertificates(new ByteArrayInputStream(
          Files.readAllBytes(certFile))).toArray(new Certificate[0]);
      if (chain.length == 0) {
        throw new IllegalArgumentException("no certificate in " + certFile);
      }
      Matcher m = KEY.matcher(Files.readString(keyFile, StandardCharsets.US_ASCII));
      if (!m.find()) {
        throw new IllegalArgumentException(keyFile + " holds no unencrypted PKCS#8 key"
            + " (-----BEGIN PRIVATE KEY-----); convert with openssl pkcs8 -topk8 -nocrypt");
      }
      byte[] der = Base64.getMimeDecoder().decode(m.group(1));
      PrivateKey key = null;
      for (String alg : new String[] {"RSA", "EC", "Ed25519"}) {
        try {
          key = KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
          break;
        } catch (GeneralSecurityException e) {
          // try the next algorithm
        }
      }
      if (key == null) {
        throw new IllegalArgumentException(keyFile + ": the key is not RSA, EC or Ed25519");
      }
      char[] pass = new char[0];
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, pass);
      ks.setKeyEntry("server", key, pass, chain);
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(
          KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, pass);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      return ctx;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read TLS files", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("TLS setup failed: " + e.getMessage(), e);
    }
  }
}
