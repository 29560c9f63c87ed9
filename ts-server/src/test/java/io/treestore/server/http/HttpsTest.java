package io.treestore.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS from PEM files: a self-signed certificate for 127.0.0.1 made with the running JDK's
 * {@code keytool}, its PKCS#8 key exported to PEM with the JDK's APIs, the transport started
 * with {@code tls-cert}/{@code tls-key}, and requests from a client that trusts exactly that
 * certificate (and from one that does not).
 */
class HttpsTest {
  private static final char[] PASS = "changeit".toCharArray();

  @TempDir Path dir;
  @TempDir static Path keys;
  private static final Map<String, Pem> PEMS = new java.util.concurrent.ConcurrentHashMap<>();

  /** One certificate per algorithm for the whole class (keytool is slow to start). */
  static Pem pem(String alg) throws Exception {
    Pem p = PEMS.get(alg);
    if (p == null) {
      p = selfSigned(keys, alg);
      PEMS.put(alg, p);
    }
    return p;
  }

  /**
   * A certificate and key pair made with keytool.
   *
   * @param cert the PEM certificate
   * @param key the PEM PKCS#8 private key
   * @param certificate the certificate object
   */
  record Pem(Path cert, Path key, Certificate certificate) {}

  static Pem selfSigned(Path dir, String alg) throws Exception {
    Path ks = dir.resolve(alg + ".p12");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    List<String> cmd = new java.util.ArrayList<>(List.of(keytool, "-J-XX:TieredStopAtLevel=1",
        "-J-XX:+UseSerialGC", "-J-Xshare:auto", "-genkeypair", "-alias",
        "server", "-keyalg", alg, "-validity", "2", "-dname", "CN=localhost",
        "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-keystore", ks.toString(),
        "-storetype", "PKCS12", "-storepass", new String(PASS), "-keypass",
        new String(PASS)));
    if (alg.equals("RSA")) {
      cmd.addAll(List.of("-keysize", "2048"));
    } else {
      cmd.addAll(List.of("-groupname", "secp256r1"));
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "keytool timed out");
    assertEquals(0, p.exitValue(), "keytool: " + out);
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(ks)) {
      store.load(in, PASS);
    }
    Key key = store.getKey("server", PASS);
    assertEquals("PKCS#8", key.getFormat());
    Certificate cert = store.getCertificate("server");
    Path certPem = dir.resolve(alg + "-cert.pem");
    Path keyPem = dir.resolve(alg + "-key.pem");
    Files.writeString(certPem, pem("CERTIFICATE", cert.getEncoded()));
    Files.writeString(keyPem, pem("PRIVATE KEY", ((PrivateKey) key).getEncoded()));
    return new Pem(certPem, keyPem, cert);
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  static SSLContext trusting(Certificate cert) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("server", cert);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(
        TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  @ParameterizedTest
  @ValueSource(strings = {"EC", "RSA"})
  void servesHttpsWithPemFiles(String alg) throws Exception {
    Pem pem = pem(alg);
    Trees.Tree t = Trees.get("earthmover");
    try (TestServer s = TestServer.start(dir.resolve("db"), "tls-cert", pem.cert().toString(),
        "tls-key", pem.key().toString())) {
      assertTrue(s.address().startsWith("https://127.0.0.1:"), s.address());
      Api https = new Api(s.address(), null, trusting(pem.certificate()));
      Api untrusting = new Api(s.address());
      Api plain = new Api(s.address().replace("https://", "http://"));
      try {
        assertEquals("ready", https.get("/health/ready").expect(200).get("status")
            .asString());
        https.put("/v1/documents/earthmover", t.raw()).expect(201);
        Trees.Node n = t.nodes().get(5);
        HttpRoutesTest.assertNode(t, n.id(), https.get("/v1/documents/earthmover/nodes/"
            + n.id()).expect(200), "v1");
        https.post("/v1/cases/c/tool-results", Map.of("tool_name", "pi", "latency_ms", 2,
            "success", true)).expect(201);
        https.get("/v1/documents/nope").error(404, "NOT_FOUND");
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
            () -> untrusting.get("/health/live"));
        assertTrue(e.getCause() instanceof javax.net.ssl.SSLHandshakeException
            || e.getCause() instanceof IOException, e.toString());
        assertThrows(RuntimeException.class, () -> plain.get("/health/live").expect(200));
        assertEquals(1, https.get("/v1/documents").expect(200).get("documents").size());
      } finally {
        s.transport.close();
        https.close();
        untrusting.close();
        plain.close();
      }
    }
  }

  @Test
  void unusableKeyFilesAreRefusedAtStart() throws Exception {
    Pem pem = pem("EC");
    Path notPkcs8 = dir.resolve("rsa-pkcs1.pem");
    Files.writeString(notPkcs8, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n"
        + "-----END RSA PRIVATE KEY-----\n");
    Path garbage = dir.resolve("garbage.pem");
    Files.writeString(garbage, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    try (var ts = TestServer.open(dir.resolve("db"))) {
      HttpTransportProvider p = new HttpTransportProvider();
      for (Map<String, String> bad : List.of(
          Map.of("port", "0", "tls-cert", pem.cert().toString(), "tls-key", notPkcs8.toString()),
          Map.of("port", "0", "tls-cert", pem.cert().toString(), "tls-key", garbage.toString()),
          Map.of("port", "0", "tls-cert", pem.key().toString(), "tls-key", pem.key().toString()),
          Map.of("port", "0", "tls-key", pem.key().toString()))) {
        assertThrows(IllegalArgumentException.class, () -> p.start(ts, bad), bad.toString());
      }
    }
  }
}
