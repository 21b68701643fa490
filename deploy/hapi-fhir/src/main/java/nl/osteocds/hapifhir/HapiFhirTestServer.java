package nl.osteocds.hapifhir;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.support.PropertySourcesPlaceholderConfigurer;

/**
 * A minimal HAPI FHIR JPA server for the osteo-cds integration tests: FHIR R4, an in-memory H2 database, the
 * RESTful server at {@code /fhir}, bound to 127.0.0.1.
 *
 * <p>No Spring Boot auto-configuration: every bean is declared in {@link JpaServerConfig} and {@link WebConfig},
 * so nothing starts that the tests do not need (no subscriptions, no validation, no UI, no Flyway).
 *
 * <p>Properties (command line {@code --name=value} or environment):
 * <ul>
 *   <li>{@code server.port} (default 8080) and {@code server.address} (default 127.0.0.1);
 *   <li>{@code hapi.bearer-token} (environment {@code HAPI_BEARER_TOKEN}): when set, every request but
 *       {@code metadata} must carry {@code Authorization: Bearer <token>}, else 401 with an OperationOutcome.
 * </ul>
 */
@SpringBootConfiguration
@Import({JpaServerConfig.class, WebConfig.class})
public class HapiFhirTestServer {

	public static void main(String[] args) {
		SpringApplication.run(HapiFhirTestServer.class, args);
	}

	/** Resolves {@code ${...}} in {@code @Value} (auto-configuration would add it; we use none). */
	@Bean
	public static PropertySourcesPlaceholderConfigurer propertySourcesPlaceholderConfigurer() {
		return new PropertySourcesPlaceholderConfigurer();
	}
}
