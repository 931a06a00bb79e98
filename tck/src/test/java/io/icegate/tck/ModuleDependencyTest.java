package io.icegate.tck;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import io.icegate.engine.tckfixture.EngineDependingOnServer;
import io.icegate.logql.tckfixture.ParserDependingOnProtocol;
import io.icegate.protocol.tckfixture.ProtocolDependingOnStorage;
import io.icegate.storage.tckfixture.StorageDependingOnEngine;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The direction of dependencies between modules, DESIGN.md §2, on the compiled main classes:
 *
 * <pre>
 * server ──► engine ──► logql-parser, promql-parser, traceql-parser
 *    │         └──────► storage ──► protocol
 *    └──► protocol
 * </pre>
 *
 * Each rule refuses to pass on an empty set of classes, and is shown to fail on the main classes
 * plus one deliberately violating class from this module's tests ({@code io.icegate.*.tckfixture}),
 * which is never part of the main classes checked.
 */
class ModuleDependencyTest {
  private static final String ROOT = "io.icegate";

  static final ArchRule PROTOCOL_DEPENDS_ON_NO_OTHER_LAYER =
      noClasses()
          .that()
          .resideInAPackage("io.icegate.protocol..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.icegate.logql..",
              "io.icegate.promql..",
              "io.icegate.traceql..",
              "io.icegate.storage..",
              "io.icegate.engine..",
              "io.icegate.server..")
          .because("protocol only decodes and encodes")
          .allowEmptyShould(false);

  static final ArchRule PARSERS_STAND_ALONE =
      classes()
          .that()
          .resideInAnyPackage("io.icegate.logql..", "io.icegate.promql..", "io.icegate.traceql..")
          .should(dependOnNoIcegateModuleOtherThan())
          .because("parsers turn text into ASTs and know nothing else of IceGate, nor each other")
          .allowEmptyShould(false);

  static final ArchRule STORAGE_DEPENDS_ONLY_ON_PROTOCOL =
      classes()
          .that()
          .resideInAPackage("io.icegate.storage..")
          .should(dependOnNoIcegateModuleOtherThan("protocol"))
          .because("storage shares row and Arrow schemas with ingest, and nothing else")
          .allowEmptyShould(false);

  static final ArchRule ENGINE_DOES_NOT_DEPEND_ON_SERVER =
      noClasses()
          .that()
          .resideInAPackage("io.icegate.engine..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.icegate.server..")
          .because("the server wires the engine, not the other way round")
          .allowEmptyShould(false);

  static final ArchRule MODULES_ARE_FREE_OF_CYCLES =
      slices().matching("io.icegate.(*)..").should().beFreeOfCycles().allowEmptyShould(false);

  private static final String FIXTURE_PACKAGE = "tckfixture";

  /** The main classes, and the violating fixtures of this module's tests. */
  private static JavaClasses mainClassesAndFixtures;

  private static JavaClasses mainClasses;

  @BeforeAll
  static void importClasses() {
    ImportOption mainOnly = new ImportOption.DoNotIncludeTests();
    mainClassesAndFixtures =
        new ClassFileImporter()
            .withImportOption(
                location ->
                    mainOnly.includes(location) || location.contains("/" + FIXTURE_PACKAGE + "/"))
            .importPackages(ROOT);
    mainClasses =
        mainClassesAndFixtures.that(
            DescribedPredicate.describe("main classes", c -> !isFixture(c)));
  }

  /** Each rule, with a class (test code) that breaks it. */
  static Stream<Arguments> rules() {
    return Stream.of(
        Arguments.of(
            "protocol depends on no other layer",
            PROTOCOL_DEPENDS_ON_NO_OTHER_LAYER,
            ProtocolDependingOnStorage.class),
        Arguments.of("parsers stand alone", PARSERS_STAND_ALONE, ParserDependingOnProtocol.class),
        Arguments.of(
            "storage depends only on protocol",
            STORAGE_DEPENDS_ONLY_ON_PROTOCOL,
            StorageDependingOnEngine.class),
        Arguments.of(
            "engine does not depend on server",
            ENGINE_DOES_NOT_DEPEND_ON_SERVER,
            EngineDependingOnServer.class),
        // server → engine is real; the fixture's engine → server closes the cycle.
        Arguments.of(
            "modules are free of cycles",
            MODULES_ARE_FREE_OF_CYCLES,
            EngineDependingOnServer.class));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void mainClassesFollowTheRule(String name, ArchRule rule, Class<?> violation) {
    rule.check(mainClasses);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void ruleFailsOnAViolation(String name, ArchRule rule, Class<?> violation) {
    JavaClasses withViolation = mainClassesAnd(violation);

    assertThat(withViolation.contain(violation)).isTrue();
    assertThat(rule.evaluate(withViolation).hasViolation())
        .as("%s reports %s", name, violation.getName())
        .isTrue();
    assertThat(rule.evaluate(withViolation).getFailureReport().toString())
        .contains(violation.getName());
  }

  @Test
  void importsTheMainClassesOfEveryModuleWithCodeAndNoTestClasses() {
    Set<String> modules =
        mainClasses.stream()
            .map(c -> module(c.getPackageName()))
            .collect(Collectors.toCollection(TreeSet::new));

    // promql-parser and traceql-parser hold only package-info.java so far: no class file.
    assertThat(modules).contains("protocol", "logql", "storage", "engine", "server");
    assertThat(modules).doesNotContain("tck");
    assertThat(mainClasses.contain(ProtocolDependingOnStorage.class)).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void ruleRefusesToPassOnNoClasses(String name, ArchRule rule, Class<?> violation) {
    JavaClasses none = mainClasses.that(DescribedPredicate.describe("no class", c -> false));

    assertThatThrownBy(() -> rule.evaluate(none))
        .as("%s on no classes", name)
        .hasMessageContaining("failed to check any classes");
  }

  private static JavaClasses mainClassesAnd(Class<?> fixture) {
    return mainClassesAndFixtures.that(
        DescribedPredicate.describe(
            "main classes and " + fixture.getSimpleName(),
            c -> !isFixture(c) || c.isEquivalentTo(fixture)));
  }

  private static boolean isFixture(JavaClass c) {
    return c.getPackageName().endsWith("." + FIXTURE_PACKAGE);
  }

  /** The top-level package under io.icegate, which names the module; null outside io.icegate. */
  private static String module(String packageName) {
    if (!packageName.startsWith(ROOT + ".")) {
      return null;
    }
    String rest = packageName.substring(ROOT.length() + 1);
    int dot = rest.indexOf('.');
    return dot < 0 ? rest : rest.substring(0, dot);
  }

  /**
   * Every dependency on an io.icegate class stays in the class's own module or the allowed ones.
   */
  private static ArchCondition<JavaClass> dependOnNoIcegateModuleOtherThan(String... allowed) {
    Set<String> allowedModules = Set.of(allowed);
    String description =
        allowed.length == 0
            ? "depend on no other io.icegate module"
            : "depend on no io.icegate module other than their own and "
                + String.join(", ", allowed);
    return new ArchCondition<>(description) {
      @Override
      public void check(JavaClass item, ConditionEvents events) {
        String own = module(item.getPackageName());
        for (Dependency dependency : item.getDirectDependenciesFromSelf()) {
          String target = module(dependency.getTargetClass().getPackageName());
          if (target != null && !target.equals(own) && !allowedModules.contains(target)) {
            events.add(SimpleConditionEvent.violated(dependency, dependency.getDescription()));
          }
        }
      }
    };
  }
}
