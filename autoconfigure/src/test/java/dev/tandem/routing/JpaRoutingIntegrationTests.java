package dev.tandem.routing;

import java.util.List;

import dev.tandem.testkit.PostgresClusterExtension;
import jakarta.persistence.Entity;
import jakarta.persistence.EntityManager;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.persistence.autoconfigure.EntityScan;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.stereotype.Service;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Routing rule 2: {@code @Transactional(readOnly = true)} with Hibernate's
 * {@link JpaTransactionManager} runs on a standby, and writes through the entity manager
 * run on the primary.
 */
@SpringBootTest(classes = JpaRoutingIntegrationTests.App.class, properties = "spring.jpa.hibernate.ddl-auto=none")
@DirtiesContext
class JpaRoutingIntegrationTests {

	@RegisterExtension
	static final PostgresClusterExtension cluster = PostgresClusterExtension.withStandbys(2);

	@DynamicPropertySource
	static void tandem(DynamicPropertyRegistry registry) {
		registry.add("tandem.url", cluster::libpqUrl);
	}

	@Autowired
	private Notes notes;

	@Autowired
	private PlatformTransactionManager transactionManager;

	@Test
	void transactionManagerIsJpa() {
		assertThat(this.transactionManager).isInstanceOf(JpaTransactionManager.class);
	}

	@Test
	void readOnlyJpaTransactionRunsOnAStandby() {
		ServingNode node = this.notes.whereAmIReadOnly();
		assertThat(node.standby()).isTrue();
		assertThat(cluster.cluster().standbys())
			.anySatisfy((standby) -> assertThat(standby.port()).isEqualTo(node.port()));
	}

	@Test
	void entityWrittenOnThePrimaryIsReadBackFromAStandby() {
		long id = this.notes.create("hello");
		ServingNode writer = this.notes.whereAmIReadWrite();
		assertThat(writer.standby()).isFalse();
		assertThat(writer.port()).isEqualTo(cluster.cluster().primary().port());
		cluster.cluster().awaitReplication(java.time.Duration.ofSeconds(10));
		assertThat(this.notes.find(id)).isEqualTo("hello");
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@EntityScan(basePackageClasses = Note.class)
	@Import(Notes.class)
	static class App {

	}

	@Entity
	@Table(name = "note")
	static class Note {

		@Id
		@GeneratedValue(strategy = GenerationType.IDENTITY)
		Long id;

		String body;

	}

	@Service
	static class Notes {

		@PersistenceContext
		private EntityManager entityManager;

		@Transactional(readOnly = true)
		public ServingNode whereAmIReadOnly() {
			return ask();
		}

		@Transactional
		public ServingNode whereAmIReadWrite() {
			return ask();
		}

		@Transactional
		public long create(String body) {
			Note note = new Note();
			note.body = body;
			this.entityManager.persist(note);
			this.entityManager.flush();
			return note.id;
		}

		@Transactional(readOnly = true)
		public String find(long id) {
			ServingNode node = ask();
			assertThat(node.standby()).isTrue();
			return this.entityManager.find(Note.class, id).body;
		}

		private ServingNode ask() {
			Object[] row = (Object[]) this.entityManager.createNativeQuery(ServingNode.QUERY).getSingleResult();
			return new ServingNode((Boolean) row[0], ((Number) row[1]).intValue(), ((Number) row[2]).intValue());
		}

	}

}
